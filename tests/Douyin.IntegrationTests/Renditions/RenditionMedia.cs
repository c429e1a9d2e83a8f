using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Videos;

namespace Douyin.IntegrationTests.Renditions;

/// <summary>Sources made by ffmpeg for the rendition tests, and what ffprobe and the MP4 boxes say of a rendition.</summary>
public static class RenditionMedia
{
    // -v error keeps x265's banner out too (it logs through ffmpeg).
    static readonly string[] s_tone = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"];

    /// <summary>HEVC (as iPhones record) with AAC sound, 1 s, 320x240.</summary>
    public static Task<byte[]> HevcAsync() => TestMedia.MakeAsync("hevc.mp4",
        ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", .. s_tone, "-t", "1", "-c:v", "libx265", "-preset", "ultrafast",
         "-x265-params", "log-level=error", "-tag:v", "hvc1", "-pix_fmt", "yuv420p", "-c:a", "aac"]);

    /// <summary>
    /// H.264 High, yuv420p, AAC, 1 s, 320x240, with the index after the media (ffmpeg's default): it needs only a remux.
    /// Not ultrafast: that preset leaves out what makes High, and x264 then writes Constrained Baseline.
    /// </summary>
    public static Task<byte[]> IndexLastAsync() => TestMedia.MakeAsync("index-last.mp4",
        ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", .. s_tone, "-t", "1", "-c:v", "libx264", "-profile:v", "high",
         "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac"]);

    /// <summary>4K at 120 frames/s, 1 s, at a small bitrate so the upload stays small.</summary>
    public static Task<byte[]> FourK120Async() => TestMedia.MakeAsync("4k120.mp4",
        ["-f", "lavfi", "-i", "testsrc=size=3840x2160:rate=120", "-t", "1", "-c:v", "libx264", "-preset", "ultrafast",
         "-b:v", "400k", "-pix_fmt", "yuv420p"]);

    /// <summary>
    /// 720p H.264 4:4:4 (a profile phones do not play), 8 s: it must be encoded, which takes a few seconds, long enough
    /// to stop Feed in the middle.
    /// </summary>
    public static Task<byte[]> SlowToEncodeAsync() => TestMedia.MakeAsync("slow.mp4",
        ["-f", "lavfi", "-i", "testsrc=size=1280x720:rate=30", "-t", "8", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"]);

    /// <summary>
    /// A clip that probes and has a cover (its video is fine) but cannot be encoded: its sound track's sample entry and
    /// decoder description are renamed to a format no decoder knows, so ffmpeg fails on the audio.
    /// </summary>
    public static async Task<byte[]> UndecodableSoundAsync()
    {
        var clip = (byte[])(await TestMedia.MakeAsync("sound.mp4",
            ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", .. s_tone, "-t", "1", "-c:v", "libx264", "-preset", "ultrafast",
             "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart"])).Clone();
        foreach (var box in new[] { "mp4a"u8.ToArray(), "esds"u8.ToArray() })
        {
            var at = clip.AsSpan().IndexOf(box);
            Assert.True(at > 0 && clip.AsSpan(at + 4).IndexOf(box) < 0, $"{Encoding.ASCII.GetString(box)} is in the clip once");
            "zzzz"u8.CopyTo(clip.AsSpan(at));
        }
        return clip;
    }

    /// <summary>The types of the top-level MP4 boxes in order (ISO/IEC 14496-12 §4.2: 32-bit size, type, 64-bit size when it is 1).</summary>
    public static List<string> TopLevelBoxes(byte[] mp4)
    {
        var boxes = new List<string>();
        long at = 0;
        while (at + 8 <= mp4.Length)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(mp4.AsSpan((int)at));
            boxes.Add(Encoding.ASCII.GetString(mp4, (int)at + 4, 4));
            size = size switch
            {
                1 => (long)BinaryPrimitives.ReadUInt64BigEndian(mp4.AsSpan((int)at + 8)),
                0 => mp4.Length - at,
                _ => size,
            };
            Assert.True(size >= 8, $"box {boxes[^1]} at {at} has size {size}");
            at += size;
        }
        return boxes;
    }

    /// <summary>Whether the index (moov) comes before the media (mdat), as a player streaming the file needs.</summary>
    public static bool IndexFirst(byte[] mp4)
    {
        var boxes = TopLevelBoxes(mp4);
        return boxes.IndexOf("moov") is >= 0 and var moov && moov < boxes.IndexOf("mdat");
    }

    /// <summary>ffprobe's view of the first video and first audio stream.</summary>
    public static async Task<(JsonObject Video, JsonObject? Audio)> ProbeAsync(byte[] mp4)
    {
        var json = JsonNode.Parse(await OnFileAsync(mp4, path => RunAsync("ffprobe", ["-v", "error", "-show_streams", "-of", "json", path])))!;
        var streams = json["streams"]!.AsArray().Select(s => s!.AsObject()).ToList();
        return (streams.First(s => s["codec_type"]!.GetValue<string>() == "video"),
                streams.FirstOrDefault(s => s["codec_type"]!.GetValue<string>() == "audio"));
    }

    /// <summary>The MD5 of the video stream's packets as stored, unchanged by a remux and changed by any re-encode.</summary>
    public static async Task<string> VideoPacketsMd5Async(byte[] mp4) =>
        (await OnFileAsync(mp4, path => RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-c", "copy", "-f", "md5", "-"]))).Trim();

    /// <summary>Processes whose command line mentions <paramref name="marker"/>: an ffmpeg run on a rendition's workspace.</summary>
    public static bool FfmpegRunning(string marker)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }
            try
            {
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (command is [var tool, ..] && Path.GetFileName(tool) == "ffmpeg" && command.Any(a => a.Contains(marker, StringComparison.Ordinal)))
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return false;
    }

    static async Task<string> OnFileAsync(byte[] bytes, Func<string, Task<string>> tool)
    {
        var path = Path.Combine(Path.GetTempPath(), $"douyin-rendition-test-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            return await tool(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    static async Task<string> RunAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {error}");
        return await output;
    }
}
