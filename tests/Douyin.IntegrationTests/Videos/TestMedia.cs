using System.Diagnostics;

namespace Douyin.IntegrationTests.Videos;

/// <summary>Files for upload tests, made once per run with the real ffmpeg: a short clip, an image and a text file.</summary>
public static class TestMedia
{
    static readonly string s_directory = Directory.CreateTempSubdirectory("douyin-test-media-").FullName;
    static readonly Lazy<Task<byte[]>> s_clip = new(() => MakeAsync("clip.mp4",
        ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "3", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]));
    static readonly Lazy<Task<byte[]>> s_image = new(() => MakeAsync("frame.png", ["-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1"]));

    /// <summary>A 3 s, 320x240 H.264 MP4 of a few hundred KB, like the official test's upload.</summary>
    public static Task<byte[]> ClipAsync() => s_clip.Value;

    public static Task<byte[]> PngAsync() => s_image.Value;

    public static byte[] Text() => "This is not a video, whatever its name says.\n"u8.ToArray();

    static async Task<byte[]> MakeAsync(string name, string[] arguments)
    {
        var path = Path.Combine(s_directory, name);
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-nostdin", "-v", "error", "-y", .. arguments, path])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"ffmpeg failed: {error}");
        return await File.ReadAllBytesAsync(path);
    }
}
