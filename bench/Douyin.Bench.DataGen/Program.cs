// Fills feeddb, socialdb and chatdb with a benchmark state through binary COPY (not the API), recomputes every
// counter from the rows with SQL, and writes the files the wrk scripts read (bench/run.sh drives it).
//
// Layout, all deterministic so the scripts can pick pairs that are known to exist or known to be absent:
//   user u (0..U-1), video i (0..V-1, author i mod U, one second apart, newest last),
//   user u likes videos (u*S + k) mod V for k < L/U, follows users (u + 1 + j) mod U for j < F/U.
// The one real video (published through the API by run.sh) lends its blobs and password hash to every row.
using System.Globalization;
using System.Text;
using Douyin.Api.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

var config = new ConfigurationBuilder().AddCommandLine(args).Build();
string Required(string key) => config[key] ?? throw new ArgumentException($"--{key} is required");
int users = config.GetValue("users", 10_000), videos = config.GetValue("videos", 100_000);
long likes = config.GetValue("likes", 1_000_000L), follows = config.GetValue("follows", 200_000L);
int messages = config.GetValue("messages", 100_000), comments = config.GetValue("comments", 100_000);
var output = Required("out");
var likesPerUser = (int)(likes / users);
var followsPerUser = (int)(follows / users);
// The toggle scripts like (follow) fresh pairs and unlike (unfollow) generated ones, each pair once a run: 50 a user
// of each suffices for 30 s at well over 10,000 requests/s with 10,000 users.
const int PairsPerUser = 50;
var extraLikes = Math.Min(PairsPerUser, videos - likesPerUser);
var extraFollows = Math.Min(PairsPerUser, users - 1 - followsPerUser);
if (extraLikes <= 0 || extraFollows <= 0)
{
    throw new ArgumentException("likes per user must stay below videos, follows per user below users");
}

await using var feed = NpgsqlDataSource.Create(Required("feeddb"));
await using var social = NpgsqlDataSource.Create(Required("socialdb"));
await using var chat = NpgsqlDataSource.Create(Required("chatdb"));

// Snowflake ids with worker 1023 and past timestamps: the services lease low worker numbers and stamp the present.
var epoch = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
long Id(DateTimeOffset at, int sequence = 0) => ((at - epoch).Ticks / TimeSpan.TicksPerMillisecond << 22) | (1023L << 12) | (uint)sequence;
var now = DateTimeOffset.UtcNow;
var userStart = now.AddSeconds(-users - videos - 3600);
var videoStart = now.AddSeconds(-videos - 60);

var (playPath, coverPath, passwordHash) = await Template();
var userIds = Enumerable.Range(0, users).Select(u => Id(userStart.AddSeconds(u))).ToArray();
long VideoId(int i) => Id(videoStart.AddSeconds(i));
long LikedVideo(int u, int k) => VideoId((int)(((long)u * 7919 + k) % videos));
long FollowedUser(int u, int j) => userIds[(u + 1 + j) % users];
var watch = System.Diagnostics.Stopwatch.StartNew();
void Step(string what) => Console.WriteLine($"[datagen] {what} ({watch.Elapsed.TotalSeconds:F1} s)");

await Copy(social, "COPY users (id, name, normalized_name, password_hash, created_at) FROM STDIN (FORMAT BINARY)", async w =>
{
    for (var u = 0; u < users; u++)
    {
        await w.StartRowAsync();
        await w.WriteAsync(userIds[u], NpgsqlDbType.Bigint);
        await w.WriteAsync($"bench{u}", NpgsqlDbType.Varchar);
        await w.WriteAsync($"bench{u}", NpgsqlDbType.Varchar);
        await w.WriteAsync(passwordHash, NpgsqlDbType.Varchar);
        await w.WriteAsync(userStart.AddSeconds(u), NpgsqlDbType.TimestampTz);
    }
});
Step($"{users} users");
await Copy(feed, "COPY videos (id, author_id, title, play_path, cover_path, created_at) FROM STDIN (FORMAT BINARY)", async w =>
{
    for (var i = 0; i < videos; i++)
    {
        await w.StartRowAsync();
        await w.WriteAsync(VideoId(i), NpgsqlDbType.Bigint);
        await w.WriteAsync(userIds[i % users], NpgsqlDbType.Bigint);
        await w.WriteAsync($"Bench video {i}", NpgsqlDbType.Text);
        await w.WriteAsync(playPath, NpgsqlDbType.Varchar);
        await w.WriteAsync(coverPath, NpgsqlDbType.Varchar);
        await w.WriteAsync(videoStart.AddSeconds(i), NpgsqlDbType.TimestampTz);
    }
});
Step($"{videos} videos");
await Copy(feed, "COPY favorites (user_id, video_id, created_at, is_favorite, sequence) FROM STDIN (FORMAT BINARY)", async w =>
{
    for (var u = 0; u < users; u++)
    {
        for (var k = 0; k < likesPerUser; k++)
        {
            await w.StartRowAsync();
            await w.WriteAsync(userIds[u], NpgsqlDbType.Bigint);
            await w.WriteAsync(LikedVideo(u, k), NpgsqlDbType.Bigint);
            await w.WriteAsync(now.AddMinutes(-30), NpgsqlDbType.TimestampTz);
            await w.WriteAsync(true, NpgsqlDbType.Boolean);
            await w.WriteAsync(0L, NpgsqlDbType.Bigint); // older than any sequence an endpoint takes
        }
    }
});
Step($"{(long)likesPerUser * users} likes");
await Copy(feed, "COPY comments (id, video_id, user_id, content, created_at) FROM STDIN (FORMAT BINARY)", async w =>
{
    var start = now.AddMilliseconds(-comments - 60_000);
    for (var c = 0; c < comments; c++)
    {
        await w.StartRowAsync();
        await w.WriteAsync(Id(start.AddMilliseconds(c)), NpgsqlDbType.Bigint);
        await w.WriteAsync(VideoId(videos - 1 - c % Math.Min(videos, 1000)), NpgsqlDbType.Bigint); // the newest 1,000 videos
        await w.WriteAsync(userIds[c % users], NpgsqlDbType.Bigint);
        await w.WriteAsync($"Bench comment {c}", NpgsqlDbType.Text);
        await w.WriteAsync(start.AddMilliseconds(c), NpgsqlDbType.TimestampTz);
    }
});
Step($"{comments} comments");
await Copy(social, "COPY follows (follower_id, followee_id, created_at) FROM STDIN (FORMAT BINARY)", async w =>
{
    for (var u = 0; u < users; u++)
    {
        for (var j = 0; j < followsPerUser; j++)
        {
            await w.StartRowAsync();
            await w.WriteAsync(userIds[u], NpgsqlDbType.Bigint);
            await w.WriteAsync(FollowedUser(u, j), NpgsqlDbType.Bigint);
            await w.WriteAsync(now.AddMinutes(-30), NpgsqlDbType.TimestampTz);
        }
    }
});
Step($"{(long)followsPerUser * users} follows");
await Copy(chat, "COPY messages (id, low_user_id, high_user_id, from_user_id, to_user_id, content, create_time) FROM STDIN (FORMAT BINARY)", async w =>
{
    // Conversations of user u with u+1 (both directions), one millisecond apart, so (low, high, create_time) stays unique.
    var start = now.AddMilliseconds(-messages - 60_000);
    for (var m = 0; m < messages; m++)
    {
        var (from, to) = (userIds[m % users], userIds[(m + 1) % users]);
        if (m / users % 2 == 1)
        {
            (from, to) = (to, from);
        }
        var at = start.AddMilliseconds(m);
        await w.StartRowAsync();
        await w.WriteAsync(Id(at), NpgsqlDbType.Bigint);
        await w.WriteAsync(Math.Min(from, to), NpgsqlDbType.Bigint);
        await w.WriteAsync(Math.Max(from, to), NpgsqlDbType.Bigint);
        await w.WriteAsync(from, NpgsqlDbType.Bigint);
        await w.WriteAsync(to, NpgsqlDbType.Bigint);
        await w.WriteAsync($"Bench message {m}", NpgsqlDbType.Varchar);
        await w.WriteAsync(at.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint);
    }
});
Step($"{messages} messages");

// Counters from the rows, never from the generator's arithmetic.
await Execute(feed, """
    UPDATE videos v SET
        favorite_count = (SELECT count(*) FROM favorites f WHERE f.video_id = v.id AND f.is_favorite),
        comment_count = (SELECT count(*) FROM comments c WHERE c.video_id = v.id AND NOT c.is_deleted);
    ANALYZE videos; ANALYZE favorites; ANALYZE comments;
    """);
await Execute(chat, """
    INSERT INTO conversations (low_user_id, high_user_id, last_create_time)
    SELECT low_user_id, high_user_id, max(create_time) FROM messages GROUP BY low_user_id, high_user_id
    ON CONFLICT (low_user_id, high_user_id) DO UPDATE SET last_create_time = excluded.last_create_time;
    ANALYZE messages; ANALYZE conversations;
    """);
// Social's feed counters (works, likes given, likes received) live in another database: carry feeddb's aggregates over.
await Execute(social, "CREATE TABLE IF NOT EXISTS bench_feed_counters (user_id bigint PRIMARY KEY, work_count bigint, favorite_count bigint, total_favorited bigint); TRUNCATE bench_feed_counters;");
await using (var counts = await feed.CreateCommand("""
    SELECT u.user_id, coalesce(w.n, 0), coalesce(f.n, 0), coalesce(w.received, 0)
    FROM (SELECT author_id AS user_id FROM videos UNION SELECT user_id FROM favorites WHERE is_favorite) u
    LEFT JOIN (SELECT author_id, count(*) n, sum(favorite_count) received FROM videos GROUP BY author_id) w ON w.author_id = u.user_id
    LEFT JOIN (SELECT user_id, count(*) n FROM favorites WHERE is_favorite GROUP BY user_id) f ON f.user_id = u.user_id
    """).ExecuteReaderAsync())
{
    await Copy(social, "COPY bench_feed_counters FROM STDIN (FORMAT BINARY)", async w =>
    {
        while (await counts.ReadAsync())
        {
            await w.StartRowAsync();
            for (var column = 0; column < 4; column++)
            {
                await w.WriteAsync(counts.GetInt64(column), NpgsqlDbType.Bigint);
            }
        }
    });
}
await Execute(social, """
    UPDATE users u SET
        follow_count = (SELECT count(*) FROM follows WHERE follower_id = u.id),
        follower_count = (SELECT count(*) FROM follows WHERE followee_id = u.id),
        work_count = coalesce(c.work_count, 0), favorite_count = coalesce(c.favorite_count, 0), total_favorited = coalesce(c.total_favorited, 0)
    FROM users u2 LEFT JOIN bench_feed_counters c ON c.user_id = u2.id
    WHERE u.id = u2.id;
    DROP TABLE bench_feed_counters;
    ANALYZE users; ANALYZE follows;
    """);
Step("counters recomputed");

// Files for the wrk scripts (bench/wrk/common.lua reads them): "index userId token", and pairs "userIndex targetId".
Directory.CreateDirectory(output);
var tokens = new TokenService(Options.Create(new JwtOptions { Key = Required("jwt-key") }), TimeProvider.System);
await File.WriteAllLinesAsync(Path.Combine(output, "users.txt"), userIds.Select((id, u) => $"{id} {tokens.Issue(id)}"));
await File.WriteAllLinesAsync(Path.Combine(output, "videos.txt"), Enumerable.Range(Math.Max(0, videos - 1000), Math.Min(videos, 1000)).Select(i => VideoId(i).ToString(CultureInfo.InvariantCulture)));
await WritePairs("likes-existing.txt", Math.Min(likesPerUser, PairsPerUser), (u, k) => LikedVideo(u, k));
await WritePairs("likes-new.txt", extraLikes, (u, k) => LikedVideo(u, likesPerUser + k));
await WritePairs("follows-existing.txt", Math.Min(followsPerUser, PairsPerUser), FollowedUser);
await WritePairs("follows-new.txt", extraFollows, (u, j) => FollowedUser(u, followsPerUser + j));
Step($"files in {output}");

// Interleaved by user, so any prefix of the file spreads over many users.
Task WritePairs(string name, int perUser, Func<int, int, long> target)
{
    var lines = new StringBuilder();
    for (var k = 0; k < perUser; k++)
    {
        for (var u = 0; u < users; u++)
        {
            lines.Append(u).Append(' ').Append(target(u, k)).Append('\n');
        }
    }
    return File.WriteAllTextAsync(Path.Combine(output, name), lines.ToString());
}

async Task<(string Play, string Cover, string PasswordHash)> Template()
{
    await using var video = feed.CreateCommand("SELECT play_path, cover_path, author_id FROM videos ORDER BY created_at DESC LIMIT 1");
    await using var reader = await video.ExecuteReaderAsync();
    if (!await reader.ReadAsync())
    {
        throw new InvalidOperationException("Publish one video through the API first: its blobs are shared by every generated video.");
    }
    var (play, cover, author) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
    await using var account = social.CreateCommand("SELECT password_hash FROM users WHERE id = $1");
    account.Parameters.Add(new NpgsqlParameter { Value = author });
    return (play, cover, (string)(await account.ExecuteScalarAsync() ?? throw new InvalidOperationException("The publisher's account is missing.")));
}

static async Task Copy(NpgsqlDataSource source, string copy, Func<NpgsqlBinaryImporter, Task> rows)
{
    await using var connection = await source.OpenConnectionAsync();
    await using var writer = await connection.BeginBinaryImportAsync(copy);
    await rows(writer);
    await writer.CompleteAsync();
}

static async Task Execute(NpgsqlDataSource source, string sql)
{
    await using var command = source.CreateCommand(sql);
    command.CommandTimeout = 0;
    await command.ExecuteNonQueryAsync();
}
