using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace Douyin.Feed.Media;

/// <summary>What ffprobe found in an upload that really is a video.</summary>
public sealed record VideoProbe(TimeSpan Duration, string ContentType, string Extension);

/// <summary>Every ffprobe and ffmpeg slot of the process is taken: the caller answers "busy" rather than waiting.</summary>
public sealed class MediaToolsBusyException() : Exception("Every media tool slot is in use.");

/// <summary>
/// ffprobe and ffmpeg through FFMpegCore, on untrusted files, so each run is boxed in: only the MP4/QuickTime and
/// Matroska/WebM demuxers may open the file (no playlists, concat scripts or image sequences that reach other files or
/// URLs), only the file protocol, a few threads, a cap on the streams a demuxer may create,
/// <see cref="MediaOptions.ToolTimeout"/>, a cap on runs at once and on their output. Killed on cancellation.
/// </summary>
public sealed class MediaTools : IDisposable
{
    // Demuxers and codecs of still images: ffprobe reports a PNG or JPEG as a one-frame "video".
    static readonly string[] s_imageCodecs = ["png", "mjpeg", "jpeg2000", "bmp", "gif", "webp", "tiff", "apng", "jpegls"];

    // The demuxers of the containers we accept (ffmpeg's names: mov serves mp4, matroska serves webm).
    const string Formats = "mov,mp4,m4a,3gp,3g2,mj2,webm,matroska";

    // FFMpegCore asks ffprobe for every tag, chapter and side-data block, which an upload may make as large as it likes;
    // these later options take them back, so the answer is a few hundred bytes a stream (and streams are capped).
    const string ProbeSections = "-show_entries format_tags=:stream_tags=:stream_side_data_list=:chapters=:chapter=:chapter_tags=";

    const string NotReadable = "The file is not a video that can be read: send an MP4 or WebM video, not an image or another format.";

    readonly MediaOptions _options;
    readonly FFOptions _ffOptions;
    readonly ILogger<MediaTools> _logger;
    readonly ConcurrencyLimiter _runs;

    public MediaTools(IOptions<MediaOptions> options, ILogger<MediaTools> logger)
    {
        _options = options.Value;
        _ffOptions = new FFOptions { BinaryFolder = _options.ToolsFolder };
        _logger = logger;
        _runs = new(new ConcurrencyLimiterOptions { PermitLimit = _options.MaxConcurrentToolRuns, QueueLimit = 0 });
    }

    /// <summary>
    /// Options of the input of every run. A file with more streams than <c>-max_streams</c> is not opened at all; the
    /// bound is above <see cref="MediaOptions.MaxStreams"/>, so a file a little over it is told its count.
    /// </summary>
    string InputOptions => string.Create(CultureInfo.InvariantCulture,
        $"-threads {_options.ToolThreads} -protocol_whitelist file -format_whitelist {Formats} -max_streams {4 * _options.MaxStreams}");

    /// <summary>The video's duration and container, or a refusal saying why the file is not an acceptable video.</summary>
    public async Task<(VideoProbe? Video, string? Refusal)> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        IMediaAnalysis analysis;
        try
        {
            analysis = await RunAsync("ffprobe", token => FFProbe.AnalyseAsync(path, _ffOptions, $"{InputOptions} {ProbeSections}", token), cancellationToken);
        }
        catch (Exception ex) when (ex is FFMpegException or JsonException)
        {
            _logger.LogInformation("ffprobe refused an upload: {Error}", ex.Message.Trim());
            return (null, NotReadable);
        }

        var format = analysis.Format;
        var formatName = format.FormatName ?? "";
        var videoStreams = analysis.VideoStreams.Where(stream => stream.Disposition?.GetValueOrDefault("attached_pic") != true).ToList();
        var videoCodecs = videoStreams.Select(stream => stream.CodecName).ToList();
        if (format.StreamCount > _options.MaxStreams)
        {
            return (null, $"The file has {format.StreamCount} streams; the limit is {_options.MaxStreams}.");
        }
        foreach (var video in videoStreams)
        {
            if (Math.Max(video.Width ?? 0, video.Height ?? 0) > _options.MaxVideoDimension)
            {
                return (null, $"The video is {video.Width}x{video.Height}; the limit is {_options.MaxVideoDimension} px a side.");
            }
        }
        // The average rate: a variable-rate phone video's r_frame_rate (a timebase) may be far above what it shows.
        var rate = videoStreams.Select(v => Finite(v.AverageFrameRate) is > 0 and var average ? average : Finite(v.RealFrameRate)).DefaultIfEmpty().Max();
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
        var duration = format.Duration;
        if (duration <= TimeSpan.Zero)
        {
            return (null, "The video has no duration.");
        }
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
        var errors = new BoundedOutput(_options.MaxToolOutputBytes);
        var result = await RunAsync("ffmpeg", async token =>
        {
            // A run that prints past the bound is stopped at once, and refused below.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
            errors.Overflowing = stop.Cancel;
            return await FFMpegArguments
                .FromFileInput(videoPath, verifyExists: true, input => input.WithCustomArgument($"-v error {InputOptions} -ss {offset}"))
                .OutputToFile(coverPath, overwrite: true, output => output
                    .WithCustomArgument("-filter_threads 1 -frames:v 1 -vf scale='min(720,iw)':-2 -q:v 3 -update 1"))
                .NotifyOnStandardError(errors.Add)
                .CancellableThrough(stop.Token, TimeSpan.Zero)
                .ProcessAsynchronously(throwOnError: false, _ffOptions, CancellationToken.None);
        }, cancellationToken);
        if (!result.Success || errors.Overflowed || !File.Exists(coverPath) || new FileInfo(coverPath).Length == 0)
        {
            _logger.LogWarning("ffmpeg could not take a cover frame: {Error}", errors.Overflowed ? "its output was too long" : errors.Text);
            return false;
        }
        return true;
    }

    /// <summary>One run in a slot of <see cref="MediaOptions.MaxConcurrentToolRuns"/>, stopped after <see cref="MediaOptions.ToolTimeout"/>.</summary>
    async Task<T> RunAsync<T>(string tool, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        using var slot = _runs.AttemptAcquire();
        if (!slot.IsAcquired)
        {
            throw new MediaToolsBusyException();
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ToolTimeout);
        try
        {
            var result = await run(timeout.Token);
            timeout.Token.ThrowIfCancellationRequested(); // FFMpegCore reports a killed ffmpeg as a result, not an exception
            return result;
        }
        catch (OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{tool} took longer than {_options.ToolTimeout.TotalSeconds:0} s.");
        }
        catch (Instances.Exceptions.InstanceFileNotFoundException ex)
        {
            throw new InvalidOperationException($"'{tool}' could not be started; install ffmpeg (eng/setup.sh does).", ex);
        }
    }

    static double Finite(double value) => double.IsFinite(value) ? value : 0;

    public void Dispose() => _runs.Dispose();

    /// <summary>A tool's stderr up to a byte bound; the line that passes it calls <see cref="Overflowing"/>.</summary>
    sealed class BoundedOutput(int maxBytes)
    {
        readonly StringBuilder _text = new();
        long _bytes;

        public Action? Overflowing { get; set; }

        public bool Overflowed { get; private set; }

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString().Trim();
                }
            }
        }

        public void Add(string line)
        {
            lock (_text)
            {
                _bytes += Encoding.UTF8.GetByteCount(line) + 1;
                if (_bytes <= maxBytes)
                {
                    _text.AppendLine(line);
                    return;
                }
                Overflowed = true;
            }
            Overflowing?.Invoke();
        }
    }
}
