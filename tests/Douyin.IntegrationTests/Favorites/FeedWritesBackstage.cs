using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Douyin.Feed.Writes;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Videos;
using Douyin.ServiceDefaults.Ids;
using Douyin.EventBus.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;

namespace Douyin.IntegrationTests.Favorites;

/// <summary>
/// What the like and comment tests see behind the edge: videos seeded straight into feeddb, Feed's counters against
/// the rows they count, and the feed.writes queue, into which tests put writes as the endpoints would (or could not).
/// </summary>
public sealed class FeedWritesBackstage(DouyinAppFixture fixture)
{
    // Sequences as the endpoints take them; worker 1023 keeps clear of Feed's own leased workers.
    static readonly SnowflakeIdGenerator s_ids = new(Options.Create(new IdGeneratorOptions { WorkerId = 1023 }), TimeProvider.System);

    public static long NextSequence() => s_ids.NextId();

    /// <summary>Likes of <paramref name="count"/> different users who never registered (ids derived from the video, so tests do not share them).</summary>
    public static FavoriteWrite[] LikesOfManyUsers(long videoId, int count) =>
        [.. Enumerable.Range(1, count).Select(i => new FavoriteWrite(NextSequence(), (1L << 50) + videoId % 1_000_000 * 10_000 + i, videoId, IsFavorite: true))];

    /// <summary>A video of <paramref name="authorId"/>, inserted directly (no upload needed to like or comment on it).</summary>
    public async Task<long> SeedVideoAsync(long authorId)
    {
        var id = Random.Shared.NextInt64(1L << 40, 1L << 62);
        await using var db = await fixture.OpenFeedDbAsync();
        await using var insert = new NpgsqlCommand(
            "insert into videos (id, author_id, title, play_path, cover_path, favorite_count, comment_count, created_at) values ($1, $2, 'seeded', $3, $4, 0, 0, now())", db)
        {
            Parameters = { new() { Value = id }, new() { Value = authorId }, new() { Value = $"/media/videos/{id}.mp4" }, new() { Value = $"/media/covers/{id}.jpg" } },
        };
        await insert.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary><paramref name="count"/> videos of <paramref name="authorId"/>, as <see cref="SeedVideoAsync"/> inserts them.</summary>
    public async Task<List<long>> SeedVideosAsync(long authorId, int count)
    {
        var videos = new List<long>();
        for (var i = 0; i < count; i++)
        {
            videos.Add(await SeedVideoAsync(authorId));
        }
        return videos;
    }

    public Task<long> FeedScalarAsync(string sql, params object[] parameters) => fixture.ScalarAsync("feeddb", sql, parameters);

    /// <summary>The stored counters of a video, and the rows they count.</summary>
    public async Task<(long Favorites, long LikeRows, long Comments, long CommentRows)> CountersAsync(long videoId) => (
        await FeedScalarAsync("SELECT favorite_count FROM videos WHERE id = $1", videoId),
        await FeedScalarAsync("SELECT count(*) FROM favorites WHERE video_id = $1 AND is_favorite", videoId),
        await FeedScalarAsync("SELECT comment_count FROM videos WHERE id = $1", videoId),
        await FeedScalarAsync("SELECT count(*) FROM comments WHERE video_id = $1 AND NOT is_deleted", videoId));

    /// <summary>Feed's own write queue (group commit included), publishing to the app's broker as the endpoints do.</summary>
    public async Task<FeedWriteQueue> CreateWriteQueueAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "feed-writes-stand-in" });
        builder.Configuration["ConnectionStrings:messaging"] = await fixture.App.GetConnectionStringAsync("messaging");
        builder.AddRabbitMQConnection("messaging");
        var services = builder.Build().Services;
        return new FeedWriteQueue(
            services.GetRequiredService<RabbitMQConnectionSource>(), Options.Create(new FeedWritesOptions()), NullLogger<FeedWriteQueue>.Instance);
    }

    /// <summary>
    /// Holds the video's row lock (FOR UPDATE in an open transaction) until disposed: a batch of writes to it then waits
    /// in the middle of its transaction, which is how a test catches the consumer mid-stream whatever its speed.
    /// </summary>
    public async Task<IAsyncDisposable> LockVideoAsync(long videoId)
    {
        var db = await fixture.OpenFeedDbAsync();
        var transaction = await db.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM videos WHERE id = $1 FOR UPDATE", db, transaction) { Parameters = { new() { Value = videoId } } })
        {
            await lockRow.ExecuteNonQueryAsync();
        }
        return new RowLock(db, transaction);
    }

    sealed class RowLock(NpgsqlConnection db, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await db.DisposeAsync();
        }
    }

    /// <summary>The sum of the like counter changes Feed announced to Social for a user: likes given, or received on their videos.</summary>
    public Task<long> AnnouncedFavoriteCountsAsync(long userId, bool received = false) => FeedScalarAsync($"""
        SELECT coalesce(sum((c->>'{(received ? "totalFavorited" : "favoriteCount")}')::bigint), 0)
        FROM integration_event_log, jsonb_array_elements(content->'changes') AS c
        WHERE event_type_name = 'FavoriteCountsChangedIntegrationEvent' AND (c->>'userId')::bigint = $1
        """, userId);

    public Task<(uint Ready, uint Consumers)> WriteQueueAsync() => fixture.QueueAsync(FeedWriteQueue.QueueName);

    /// <summary>Puts writes (or anything else) into feed.writes, persistent and confirmed, as the endpoints do.</summary>
    public async Task EnqueueRawAsync(IEnumerable<(string MessageId, byte[] Body)> messages)
    {
        await using var connection = await fixture.ConnectToBrokerAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        foreach (var (messageId, body) in messages)
        {
            var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent, MessageId = messageId };
            await channel.BasicPublishAsync("", FeedWriteQueue.QueueName, mandatory: true, properties, body);
        }
    }

    public Task EnqueueAsync(params FeedWrite[] writes) =>
        EnqueueRawAsync(writes.Select(w => (w.Sequence.ToString(CultureInfo.InvariantCulture), JsonSerializer.SerializeToUtf8Bytes(w, FeedWriteQueue.JsonOptions))));

    /// <summary>Takes every message out of feed.writes.dead and returns their ids.</summary>
    public async Task<List<string?>> DrainDeadLettersAsync()
    {
        await using var connection = await fixture.ConnectToBrokerAsync();
        await using var channel = await connection.CreateChannelAsync();
        var ids = new List<string?>();
        while (await channel.BasicGetAsync(FeedWriteQueue.DeadLetterQueueName, autoAck: true) is { } message)
        {
            ids.Add(message.BasicProperties.MessageId);
        }
        return ids;
    }
}

/// <summary>The like and comment calls the tests make again and again.</summary>
public static class FeedWriteCalls
{
    public static Task<JsonObject> LikeAsync(this HttpClient web, string token, long videoId, int actionType = 1) =>
        web.ApiPostAsync("/douyin/favorite/action/", ("token", token), ("video_id", videoId), ("action_type", actionType));

    public static Task<JsonObject> UnlikeAsync(this HttpClient web, string token, long videoId) => web.LikeAsync(token, videoId, 2);

    public static async Task<JsonArray> FavoriteListAsync(this HttpClient web, long userId, string? token = null)
    {
        var reply = await web.ApiGetAsync("/douyin/favorite/list/", ("user_id", userId), ("token", token));
        Assert.Equal(0, reply.StatusCode());
        return reply["video_list"]!.AsArray();
    }

    public static Task<JsonObject> CommentAsync(this HttpClient web, string token, long videoId, string text) =>
        web.ApiPostAsync("/douyin/comment/action/", ("token", token), ("video_id", videoId), ("action_type", 1), ("comment_text", text));

    public static Task<JsonObject> DeleteCommentAsync(this HttpClient web, string token, long videoId, long commentId) =>
        web.ApiPostAsync("/douyin/comment/action/", ("token", token), ("video_id", videoId), ("action_type", 2), ("comment_id", commentId));

    public static async Task<JsonArray> CommentListAsync(this HttpClient web, long videoId, string? token = null)
    {
        var reply = await web.ApiGetAsync("/douyin/comment/list/", ("video_id", videoId), ("token", token));
        Assert.Equal(0, reply.StatusCode());
        return reply["comment_list"]!.AsArray();
    }
}
