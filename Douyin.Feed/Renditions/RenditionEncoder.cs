using System.Diagnostics;
using System.Globalization;
using FFMpegCore;
using FFMpegCore.Enums;

namespace Douyin.Feed.Renditions;

/// <summary>What a source needs: its video stream copied or encoded, its sound copied or encoded (or none).</summary>
public sealed record RenditionPlan(bool CopyVideo, bool CopyAudio, bool HasAudio, bool CapFrameRate, string Reason)
{
    /// <summary>A source that already streams everywhere: only remuxed with the index first, never re-encoded.</summary>
    public bool RemuxOnly => CopyVideo && (CopyAudio || !HasAudio);
}

/// <summary>
/// Makes the streaming rendition of an upload with FFMpegCore: H.264 (High, yuv420p), AAC, at most
/// <see cref="RenditionOptions.MaxHeight"/> lines and <see cref="RenditionOptions.MaxFrameRate"/> frames a second, the
/// bitrate capped, and the index (<c>moov</c>) first. A source that already meets all of that is remuxed
/// (<c>-c copy -movflags +faststart</c>). The sources are untrusted uploads, so ffmpeg is boxed in as MediaTools does:
/// only the file protocol and the containers publishing accepts, a few threads, a deadline, and a bound on runs at once.
/// </summary>
public sealed class RenditionEncoder(IOptions<RenditionOptions> options, IOptions<MediaOptions> media, ILogger<RenditionEncoder> logger) : IDisposable
{
    // The demuxers of the containers publishing accepts (ffmpeg's names: mov serves mp4, matroska serves webm).
    const string InputOptions = "-protocol_whitelist file -format_whitelist mov,mp4,m4a,3gp,3g2,mj2,webm,matroska";

    readonly RenditionOptions _options = options.Value;
    readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrent));
    readonly FFOptions _ffOptions = new() { BinaryFolder = media.Value.ToolsFolder };

    /// <summary>Probes <paramref name="source"/> and writes its rendition to <paramref name="output"/> (an .mp4), within one ffmpeg slot.</summary>
    public async Task<RenditionPlan> RenderAsync(string source, string output, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.EncodeTimeout);
        try
        {
            var analysis = await FFProbe.AnalyseAsync(source, _ffOptions, customArguments: InputOptions, cancellationToken: deadline.Token);
            var plan = Plan(analysis);
            Activity.Current?.SetTag("douyin.rendition.remux", plan.RemuxOnly).SetTag("douyin.rendition.reason", plan.Reason);
            logger.LogInformation("Rendition of {Source}: {Plan}", Path.GetFileName(source), plan);

            // The ffmpeg run's own span, beside the blob and database spans of the job: where a rendition's time goes.
            using var encode = RenditionTelemetry.Source.StartActivity("rendition encode");
            encode?.SetTag("douyin.rendition.remux", plan.RemuxOnly);
            var started = Stopwatch.GetTimestamp();
            var ffmpeg = FFMpegArguments
                .FromFileInput(source, verifyExists: true, o => o.WithCustomArgument(InputOptions))
                .OutputToFile(output, overwrite: true, o => Output(o, plan));
            logger.LogDebug("ffmpeg {Arguments}", ffmpeg.Arguments);
            // Killed at once when cancelled: a half-written rendition is of no use, however playable.
            await ffmpeg.CancellableThrough(deadline.Token, TimeSpan.Zero).ProcessAsynchronously(throwOnError: true, _ffOptions);
            // ffmpeg stopped by the token may still exit cleanly with a truncated file: never store that.
            deadline.Token.ThrowIfCancellationRequested();
            RenditionTelemetry.EncodeSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("douyin.rendition.remux", plan.RemuxOnly));
            return plan;
        }
        // A killed ffmpeg surfaces as a cancellation or as a failed exit, whichever FFMpegCore saw first; the token says which it was.
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            throw new OperationCanceledException("The rendition was cancelled.", ex, cancellationToken);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The rendition took longer than {_options.EncodeTimeout}.", ex);
        }
        finally
        {
            _slots.Release();
        }
    }

    RenditionPlan Plan(IMediaAnalysis analysis)
    {
        var video = analysis.PrimaryVideoStream ?? throw new InvalidDataException("The source has no video stream.");
        var audio = analysis.PrimaryAudioStream;
        var rate = video.AverageFrameRate > 0 ? video.AverageFrameRate : video.RealFrameRate;
        var bitrate = video.BitRate is > 0 and var streamRate ? streamRate : (long)(analysis.Format.BitRate ?? 0);
        var (width, height) = (video.Width ?? 0, video.Height ?? 0);
        string? videoReason =
            video.CodecName != "h264" ? $"video is {video.CodecName}"
            : video.Profile is not ("Main" or "High") ? $"H.264 profile {video.Profile}"
            : video.PixelFormat != "yuv420p" ? $"pixel format {video.PixelFormat}"
            : Math.Min(width, height) > _options.MaxHeight ? $"{width}x{height}"
            : rate > _options.MaxFrameRate + 0.01 ? $"{rate:0.##} frames/s"
            : bitrate > _options.MaxBitrate * 1000L ? $"{bitrate / 1000} kbit/s"
            : null;
        var copyAudio = audio is null || audio.CodecName == "aac";
        var reason = videoReason ?? (copyAudio ? "meets the streaming profile" : $"audio is {audio!.CodecName}");
        return new(videoReason is null, copyAudio, audio is not null, rate > _options.MaxFrameRate + 0.01, reason);
    }

    void Output(FFMpegOutputOptions o, RenditionPlan plan)
    {
        var max = _options.MaxHeight.ToString(CultureInfo.InvariantCulture);
        // The first video and the first sound only: phones add data and timecode tracks no player needs.
        o.WithCustomArgument($"-map 0:v:0 -map 0:a:0? -threads {_options.Threads.ToString(CultureInfo.InvariantCulture)}");
        if (plan.CopyVideo)
        {
            o.WithCustomArgument("-c:v copy");
        }
        else
        {
            // The short side capped at MaxHeight, both sides even (yuv420p needs it), the rate capped at MaxFrameRate.
            var scale = $"scale=w='if(gte(iw,ih),-2,min({max},trunc(iw/2)*2))':h='if(gte(iw,ih),min({max},trunc(ih/2)*2),-2)'";
            // Only above the cap: the fps filter makes the rate constant, which a variable-rate phone video must not get at its timebase.
            var fps = plan.CapFrameRate ? $",fps={_options.MaxFrameRate.ToString(CultureInfo.InvariantCulture)}" : "";
            var maxrate = _options.MaxBitrate.ToString(CultureInfo.InvariantCulture);
            o.WithVideoCodec("libx264")
                .WithCustomArgument($"-vf \"{scale}{fps},format=yuv420p\" -profile:v high -preset {_options.Preset} " +
                    $"-crf {_options.Crf.ToString(CultureInfo.InvariantCulture)} -maxrate {maxrate}k -bufsize {(_options.MaxBitrate * 2).ToString(CultureInfo.InvariantCulture)}k");
        }
        if (plan.CopyAudio)
        {
            o.WithCustomArgument("-c:a copy");
        }
        else
        {
            o.WithAudioCodec(AudioCodec.Aac).WithAudioBitrate(_options.AudioBitrate);
        }
        o.WithFastStart().ForceFormat("mp4");
    }

    public void Dispose() => _slots.Dispose();
}
