using System.Diagnostics;
using Azure.Storage.Blobs;
using Douyin.EventBus;
using Douyin.EventBus.Outbox;
using Douyin.EventBus.IntegrationEvents;
using Douyin.Api.Media;

namespace Douyin.Feed.Renditions;

/// <summary>
/// The rendition job: downloads the upload, has <see cref="RenditionEncoder"/> make its rendition, stores it as
/// <c>renditions/{id}.mp4</c> and points the video at it (<see cref="Video.RenditionPath"/>), so <c>play_url</c>
/// switches. A failing attempt throws: the event bus's consumer retries it with backoff
/// (<see cref="RenditionOptions.RetryCount"/>, see <c>AddRenditions</c>), then dead-letters the job, and the video keeps
/// playing from its original. Idempotent: a job whose video already has its rendition changes nothing, and the commit
/// records the event in the inbox, so a redelivery racing it changes nothing either. A job cut off by shutdown (ffmpeg
/// killed) is left unacknowledged and redone by whichever Feed takes it next; the blob name is fixed, so a rendition
/// stored before the cut is only written again.
/// </summary>
public sealed class VideoRenditionRequestedHandler(
    FeedDbContext db,
    IIntegrationEventOutbox outbox,
    RenditionEncoder encoder,
    MediaStorage storage,
    BlobServiceClient blobs,
    VideoCache cache,
    IOptions<RenditionOptions> options,
    ILogger<VideoRenditionRequestedHandler> logger) : IIntegrationEventHandler<VideoRenditionRequestedIntegrationEvent>
{
    readonly BlobContainerClient _media = blobs.GetBlobContainerClient(MediaPaths.ContainerName);

    public static string BlobName(long videoId) => $"renditions/{videoId}.mp4";

    public async Task HandleAsync(VideoRenditionRequestedIntegrationEvent @event, CancellationToken cancellationToken)
    {
        using var activity = RenditionTelemetry.Source.StartActivity("rendition");
        activity?.SetTag("douyin.video.id", @event.VideoId).SetTag("douyin.rendition.source", @event.SourceBlob);
        // Running from the job's delivery to its commit: with douyin.renditions.queued (the broker's ready messages), what is not done yet.
        RenditionTelemetry.Running.Add(1);
        try
        {
            var outcome = await RenderAsync(@event, cancellationToken);
            activity?.SetTag("douyin.rendition.outcome", outcome);
            RenditionTelemetry.Completed.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            // Feed is stopping: the job stays unacknowledged and is redone, whatever the interrupted call threw.
            if (ex is OperationCanceledException)
            {
                throw;
            }
            throw new OperationCanceledException("The rendition was cut off by shutdown.", ex, cancellationToken);
        }
        catch (Exception ex)
        {
            // The consumer retries the job with backoff (Renditions:RetryCount, RetryDelay), then dead-letters it.
            logger.LogWarning(ex, "A rendition attempt for video {VideoId} failed; it keeps playing from {Source}", @event.VideoId, @event.SourceBlob);
            activity?.AddException(ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            RenditionTelemetry.Completed.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            throw;
        }
        finally
        {
            RenditionTelemetry.Running.Add(-1);
        }
    }

    async Task<string> RenderAsync(VideoRenditionRequestedIntegrationEvent @event, CancellationToken cancellationToken)
    {
        var videoId = @event.VideoId;
        var stored = await db.Videos.AsNoTracking().Where(v => v.Id == videoId).Select(v => new { v.RenditionPath }).SingleOrDefaultAsync(cancellationToken);
        if (stored is null)
        {
            // The job commits with its video, so this is a job of another database's video: nothing to do.
            logger.LogWarning("Rendition job {EventId} names video {VideoId}, which does not exist", @event.Id, videoId);
            return "no_video";
        }
        if (stored.RenditionPath is not null)
        {
            await DeleteOriginalUnlessKeptAsync(@event);
            return "already_stored";
        }

        // Named after the video, so an ffmpeg run can be told apart (and the tests can find it) in the process list.
        var workspace = Directory.CreateTempSubdirectory($"douyin-rendition-{videoId}-");
        try
        {
            var source = Path.Combine(workspace.FullName, "source" + Path.GetExtension(@event.SourceBlob));
            var output = Path.Combine(workspace.FullName, "rendition.mp4");
            await _media.GetBlobClient(@event.SourceBlob).DownloadToAsync(source, cancellationToken);
            var plan = await encoder.RenderAsync(source, output, cancellationToken);

            var blobName = BlobName(videoId);
            await storage.UploadAsync(blobName, output, "video/mp4", cancellationToken);
            var renditionPath = MediaPaths.ForBlob(blobName);
            // Not cancellable from here on: the rendition is stored, and a commit the job never hears of is harmless anyway.
            await outbox.ExecuteInTransactionAsync(async ct =>
            {
                if (await db.TryBeginProcessingAsync(@event.Id, nameof(VideoRenditionRequestedHandler), ct))
                {
                    await db.Videos.Where(v => v.Id == videoId && v.RenditionPath == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(v => v.RenditionPath, renditionPath), ct);
                }
            }, CancellationToken.None);
            await InvalidateAsync(videoId);
            await DeleteOriginalUnlessKeptAsync(@event);
            logger.LogInformation("Video {VideoId} now plays from {Rendition} ({Plan})", videoId, renditionPath, plan.Reason);
            return plan.RemuxOnly ? "remuxed" : "encoded";
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    async Task InvalidateAsync(long videoId)
    {
        try
        {
            await cache.InvalidateAsync([videoId]);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            // Committed: the cached record keeps the original's play_url until its TTL (Feed:VideoTtl), which still plays.
            logger.LogWarning(ex, "Video {VideoId} has its rendition, but its cached record could not be dropped", videoId);
        }
    }

    async Task DeleteOriginalUnlessKeptAsync(VideoRenditionRequestedIntegrationEvent @event)
    {
        if (!options.Value.KeepOriginal)
        {
            await storage.DeleteAsync(@event.SourceBlob, CancellationToken.None);
        }
    }
}
