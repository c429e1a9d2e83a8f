using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Douyin.Feed.Media;

/// <summary>What ffprobe found in an upload that really is a video.</summary>
public sealed record VideoProbe(TimeSpan Duration, string ContentType, string Extension);

/// <summary>ffprobe and ffmpeg as child processes, each bounded by <see cref="MediaOptions.ToolTimeout"/> and killed on cancellation.</summary>
public sealed class MediaTools(IOptions<MediaOptions> options, ILogger<MediaTools> logger)
{
    // Demuxers and codecs of still images: ffprobe reports a PNG or JPEG as a one-frame "video".
    static readonly string[] s_imageCodecs = ["png", "mjpeg", "jpeg2000", "bmp", "gif", "webp", "tiff", "apng", "jpegls"];

    readonly MediaOptions _options = options.Value;

    /// <summary>The video's duration and container, or a refusal saying why the file is not an acceptable video.</summary>
    public async Task<(VideoProbe? Video, string? Refusal)> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var (exitCode, output, error) = await RunAsync(_options.FfprobePath,
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path], cancellationToken);
        if (exitCode != 0)
        {
            logger.LogInformation("ffprobe refused an upload: {Error}", error.Trim());
            return (null, "The file is not a video that can be read.");
        }

        using var json = JsonDocument.Parse(output);
        var format = json.RootElement.TryGetProperty("format", out var f) ? f : default;
        var formatName = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("format_name", out var name) ? name.GetString() ?? "" : "";
        var streams = json.RootElement.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
        var videoCodecs = streams
            .Where(stream => Text(stream, "codec_type") == "video" && !IsAttachedPicture(stream))
            .Select(stream => Text(stream, "codec_name"))
            .ToList();

        if (formatName.EndsWith("_pipe", StringComparison.Ordinal) || formatName == "image2" || videoCodecs.Count > 0 && videoCodecs.All(s_imageCodecs.Contains))
        {
            return (null, "The file is an image, not a video.");
        }
        if (videoCodecs.Count == 0)
        {
            return (null, "The file has no video stream.");
        }
        if (!double.TryParse(format.ValueKind == JsonValueKind.Object ? Text(format, "duration") : null, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            return (null, "The video has no duration.");
        }
        var duration = TimeSpan.FromSeconds(seconds);
        if (duration > _options.MaxDuration)
        {
            return (null, $"The video is {duration.TotalSeconds:0} s long; the limit is {_options.MaxDuration.TotalSeconds:0} s.");
        }

        return formatName switch
        {
            _ when formatName.Contains("mp4", StringComparison.Ordinal) => (new(duration, "video/mp4", ".mp4"), null),
            _ when formatName.Contains("webm", StringComparison.Ordinal) && videoCodecs.All(c => c is "vp8" or "vp9" or "av1") => (new(duration, "video/webm", ".webm"), null),
            _ => (null, $"Videos must be MP4 or WebM; this file is '{formatName}'."),
        };
    }

    /// <summary>Writes one frame as a JPEG no wider than 720 px: a second in when the video is long enough (first frames are often black).</summary>
    public async Task<bool> ExtractCoverAsync(string videoPath, TimeSpan duration, string coverPath, CancellationToken cancellationToken)
    {
        var offset = duration >= TimeSpan.FromSeconds(2) ? "1" : "0";
        var (exitCode, _, error) = await RunAsync(_options.FfmpegPath,
            ["-nostdin", "-v", "error", "-y", "-ss", offset, "-i", videoPath, "-frames:v", "1", "-vf", "scale='min(720,iw)':-2", "-q:v", "3", "-update", "1", coverPath],
            cancellationToken);
        if (exitCode != 0 || !File.Exists(coverPath) || new FileInfo(coverPath).Length == 0)
        {
            logger.LogWarning("ffmpeg could not take a cover frame: {Error}", error.Trim());
            return false;
        }
        return true;
    }

    async Task<(int ExitCode, string Output, string Error)> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"'{tool}' could not be started; install ffmpeg (eng/setup.sh does).", ex);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ToolTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{Path.GetFileName(tool)} took longer than {_options.ToolTimeout.TotalSeconds:0} s.");
        }
    }

    static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var disposition)
        && disposition.TryGetProperty("attached_pic", out var attached)
        && attached.ValueKind == JsonValueKind.Number && attached.GetInt32() == 1;
}
