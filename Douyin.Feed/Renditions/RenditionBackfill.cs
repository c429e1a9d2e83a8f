using Douyin.EventBus;
using Douyin.EventBus.Outbox;
using Douyin.EventBus.IntegrationEvents;
using Douyin.Api.Media;

namespace Douyin.Feed.Renditions;

/// <summary>
/// Gives the videos published before renditions existed (or while <see cref="RenditionOptions.Enabled"/> was false)
/// their rendition job: the same <see cref="VideoRenditionRequestedIntegrationEvent"/> publishing enqueues, through the
/// same outbox, so a running Feed's relay publishes it and its consumer makes the rendition. Only videos with no
/// rendition and no job of their own are taken, in batches of ascending id, each batch one transaction: a run that is
/// cut off, or a second run, enqueues nothing twice (a job still queued, or dead-lettered after its retries, counts as
/// one). Run by the operator as <c>dotnet Douyin.Feed.dll renditions backfill</c> (<see cref="RenditionCommands"/>).
/// </summary>
public sealed class RenditionBackfill(FeedDbContext db, IIntegrationEventOutbox outbox, IOptions<EventBusSubscriptionInfo> subscriptionInfo)
{
    static readonly string s_jobType = EventBusSubscriptionInfo.GetEventName(typeof(VideoRenditionRequestedIntegrationEvent));
    static readonly string s_blobPrefix = MediaPaths.ForBlob("");

    /// <summary>Enqueues (or, on a dry run, counts) the jobs batch by batch, telling <paramref name="progress"/> of each.</summary>
    public async Task<int> RunAsync(int batchSize, bool dryRun, Action<BackfillBatch> progress, CancellationToken cancellationToken)
    {
        var info = subscriptionInfo.Value;
        // The job's JSON as the outbox writes it (the event bus's naming policy), to find the videos that have one.
        var videoIdKey = info.JsonSerializerOptions.PropertyNamingPolicy?.ConvertName(nameof(VideoRenditionRequestedIntegrationEvent.VideoId))
            ?? nameof(VideoRenditionRequestedIntegrationEvent.VideoId);
        var enqueued = 0;
        long after = 0;
        for (var number = 1; ; number++)
        {
            // Only originals in our blob storage: a path elsewhere has no blob for the job to read.
            var videos = await db.Database.SqlQuery<VideoSource>($"""
                SELECT v.id AS "Id", v.play_path AS "PlayPath" FROM videos v
                WHERE v.id > {after} AND v.rendition_path IS NULL AND starts_with(v.play_path, {s_blobPrefix})
                  AND NOT EXISTS (SELECT 1 FROM integration_event_log e
                                  WHERE e.event_type_name = {s_jobType} AND e.content @> jsonb_build_object({videoIdKey}, v.id))
                ORDER BY v.id
                LIMIT {batchSize}
                """).ToListAsync(cancellationToken);
            if (videos.Count == 0)
            {
                return enqueued;
            }
            if (!dryRun)
            {
                await outbox.ExecuteInTransactionAsync(async ct =>
                {
                    foreach (var video in videos)
                    {
                        await outbox.AddAsync(new VideoRenditionRequestedIntegrationEvent(video.Id, video.PlayPath[s_blobPrefix.Length..]), ct);
                    }
                }, cancellationToken);
            }
            enqueued += videos.Count;
            after = videos[^1].Id;
            progress(new BackfillBatch(number, videos.Count, videos[0].Id, after));
        }
    }

    sealed record VideoSource(long Id, string PlayPath);
}

/// <summary>One batch of a backfill: how many jobs it enqueued (or would have), for videos <paramref name="FirstId"/> to <paramref name="LastId"/>.</summary>
public sealed record BackfillBatch(int Number, int Jobs, long FirstId, long LastId);
