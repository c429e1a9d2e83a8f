using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;

namespace Douyin.Feed.Media;

/// <summary>What ffprobe found in an upload that really is a video.</summary>
public sealed record VideoProbe(TimeSpan Duration, string ContentType, string Extension);

/// <summary>Every ffprobe and ffmpeg slot of the process is taken: the caller answers "busy" rather than waiting.</summary>
public sealed class MediaToolsBusyException() : Exception("Every media tool slot is in use.");

/// <summary>
/// ffprobe and ffmpeg as child processes on untrusted files, so each run is boxed in: only the MP4/QuickTime and
/// Matroska/WebM demuxers may open the file (no playlists, concat scripts or image sequences that reach other files or
/// URLs), only the file protocol, a few threads, <see cref="MediaOptions.ToolTimeout"/>, a cap on runs at once and on
/// the output kept. Killed on cancellation.
/// </summary>
public sealed class MediaTools : IDisposable
{
    // Demuxers and codecs of still images: ffprobe reports a PNG or JPEG as a one-frame "video".
    static readonly string[] s_imageCodecs = ["png", "mjpeg", "jpeg2000", "bmp", "gif", "webp", "tiff", "apng", "jpegls"];

    // The demuxers of the containers we accept (ffmpeg's names: mov serves mp4, matroska serves webm).
    const string Formats = "mov,mp4,m4a,3gp,3g2,mj2,webm,matroska";

    readonly MediaOptions _options;
    readonly ILogger<MediaTools> _logger;
    readonly ConcurrencyLimiter _runs;

    public MediaTools(IOptions<MediaOptions> options, ILogger<MediaTools> logger)
    {
        _options = options.Value;
        _logger = logger;
        _runs = new(new ConcurrencyLimiterOptions { PermitLimit = _options.MaxConcurrentToolRuns, QueueLimit = 0 });
    }

    /// <summary>Options that go before <c>-i</c> (or the file, for ffprobe) of every run.</summary>
    string[] InputOptions => ["-threads", _options.ToolThreads.ToString(CultureInfo.InvariantCulture), "-protocol_whitelist", "file", "-format_whitelist", Formats];

    /// <summary>The video's duration and container, or a refusal saying why the file is not an acceptable video.</summary>
    public async Task<(VideoProbe? Video, string? Refusal)> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var (exitCode, output, error) = await RunAsync(_options.FfprobePath,
            ["-v", "error", .. InputOptions, "-print_format", "json", "-show_format", "-show_streams", path], cancellationToken);
        if (exitCode != 0 || output is null)
        {
            _logger.LogInformation("ffprobe refused an upload: {Error}", error?.Trim() ?? "its output was too long");
            return (null, "The file is not a video that can be read: send an MP4 or WebM video, not an image or another format.");
        }

        using var json = JsonDocument.Parse(output);
        var format = json.RootElement.TryGetProperty("format", out var f) ? f : default;
        var formatName = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("format_name", out var name) ? name.GetString() ?? "" : "";
        var streams = json.RootElement.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
        var videoStreams = streams.Where(stream => Text(stream, "codec_type") == "video" && !IsAttachedPicture(stream)).ToList();
        var videoCodecs = videoStreams.Select(stream => Text(stream, "codec_name")).ToList();
        if (streams.Count > _options.MaxStreams)
        {
            return (null, $"The file has {streams.Count} streams; the limit is {_options.MaxStreams}.");
        }
        foreach (var video in videoStreams)
        {
            if (Number(video, "width") is var width && Number(video, "height") is var height && Math.Max(width, height) > _options.MaxVideoDimension)
            {
                return (null, $"The video is {width:0}x{height:0}; the limit is {_options.MaxVideoDimension} px a side.");
            }
        }
        // The average rate: a variable-rate phone video's r_frame_rate (a timebase) may be far above what it shows.
        var rate = videoStreams.Select(v => Rate(v, "avg_frame_rate") is > 0 and var average ? average : Rate(v, "r_frame_rate")).DefaultIfEmpty().Max();
        if (rate > _options.MaxFrameRate)
        {
            return (null, $"The video has {rate:0} frames a second; the limit is {_options.MaxFrameRate:0}.");
        }

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
            ["-nostdin", "-v", "error", "-y", .. InputOptions, "-ss", offset, "-i", videoPath,
             "-filter_threads", "1", "-frames:v", "1", "-vf", "scale='min(720,iw)':-2", "-q:v", "3", "-update", "1", coverPath],
            cancellationToken);
        if (exitCode != 0 || !File.Exists(coverPath) || new FileInfo(coverPath).Length == 0)
        {
            _logger.LogWarning("ffmpeg could not take a cover frame: {Error}", error?.Trim());
            return false;
        }
        return true;
    }

    /// <returns>The exit code, and stdout and stderr: each null when the tool printed more than <see cref="MediaOptions.MaxToolOutputBytes"/>.</returns>
    async Task<(int ExitCode, string? Output, string? Error)> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var slot = _runs.AttemptAcquire();
        if (!slot.IsAcquired)
        {
            throw new MediaToolsBusyException();
        }

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
        var output = ReadBoundedAsync(process.StandardOutput.BaseStream, timeout.Token);
        var error = ReadBoundedAsync(process.StandardError.BaseStream, timeout.Token);
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

    /// <summary>The stream's text up to the byte bound, or null past it; it is read to the end either way, so the tool never blocks on a full pipe.</summary>
    async Task<string?> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var overflow = false;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (!overflow && kept.Length + read <= _options.MaxToolOutputBytes)
            {
                kept.Write(buffer, 0, read);
            }
            else
            {
                overflow = true;
            }
        }
        return overflow ? null : Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }

    static double Number(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;

    /// <summary>A rate as ffprobe writes it, "30000/1001"; "0/0" (unknown) is 0.</summary>
    static double Rate(JsonElement element, string property) =>
        Text(element, property)?.Split('/') is [var n, var d]
        && double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
        && double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out var den) && den > 0
            ? num / den
            : 0;

    public void Dispose() => _runs.Dispose();

    static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var disposition)
        && disposition.TryGetProperty("attached_pic", out var attached)
        && attached.ValueKind == JsonValueKind.Number && attached.GetInt32() == 1;
}
