using System.Diagnostics;

namespace Douyin.IntegrationTests.Videos;

/// <summary>Files for upload tests, made once per run with the real ffmpeg: a short clip, an image and a text file.</summary>
public static class TestMedia
{
    static readonly string s_directory = Directory.CreateTempSubdirectory("douyin-test-media-").FullName;
    static readonly Lazy<Task<byte[]>> s_clip = new(() => MakeAsync("clip.mp4",
        ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "3", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]));
    static readonly Lazy<Task<byte[]>> s_image = new(() => MakeAsync("frame.png", ["-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1"]));

    // Small files that are each wrong in one way a hostile upload could be: a container outside MP4/WebM, an absurd
    // frame size, frame rate or stream count.
    static readonly Lazy<Task<byte[]>> s_avi = new(() => MakeAsync("clip.avi", ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "1", "-c:v", "mpeg4"]));
    static readonly Lazy<Task<byte[]>> s_wide = new(() => MakeAsync("wide.mp4",
        ["-f", "lavfi", "-i", "color=c=black:size=8192x64:rate=5", "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast"]));
    static readonly Lazy<Task<byte[]>> s_fast = new(() => MakeAsync("fast.mp4",
        ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=1000", "-t", "0.5", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast"]));
    static readonly Lazy<Task<byte[]>> s_manyStreams = new(() => MakeAsync("streams.mp4",
        ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=10", "-f", "lavfi", "-i", "sine=d=1", "-t", "1", "-map", "0:v",
         .. Enumerable.Repeat<string[]>(["-map", "1:a"], 12).SelectMany(a => a), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]));

    public static Task<byte[]> AviAsync() => s_avi.Value;

    /// <summary>8192x64 pixels: a few KB, yet past any phone's frame width.</summary>
    public static Task<byte[]> WideAsync() => s_wide.Value;

    /// <summary>1000 frames a second.</summary>
    public static Task<byte[]> FastAsync() => s_fast.Value;

    /// <summary>One video and twelve audio streams.</summary>
    public static Task<byte[]> ManyStreamsAsync() => s_manyStreams.Value;

    /// <summary>An HLS playlist whose segment is a file: URL on the server; ffmpeg would open it unless told not to.</summary>
    public static byte[] FilePlaylist() => "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/hostname\n#EXT-X-ENDLIST\n"u8.ToArray();

    /// <summary>An ffconcat script (ffmpeg recognises it by content) that names a file on the server.</summary>
    public static byte[] ConcatScript() => "ffconcat version 1.0\nfile '/etc/hostname'\n"u8.ToArray();

    /// <summary>A 3 s, 320x240 H.264 MP4 of a few hundred KB, like the official test's upload.</summary>
    public static Task<byte[]> ClipAsync() => s_clip.Value;

    public static Task<byte[]> PngAsync() => s_image.Value;

    public static byte[] Text() => "This is not a video, whatever its name says.\n"u8.ToArray();

    internal static async Task<byte[]> MakeAsync(string name, string[] arguments)
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
