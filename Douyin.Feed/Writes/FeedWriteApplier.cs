using Douyin.ServiceDefaults.Ids;
using Douyin.EventBus.Outbox;
using Douyin.EventBus.IntegrationEvents;

namespace Douyin.Feed.Writes;

/// <summary>
/// Applies a batch of writes in one transaction, idempotently: a redelivered or older write changes nothing, and
/// counters move only on a real change of state. Concurrent batches (several consumers, replicas) lock rows in one
/// order (favorites by (user, video), comments by id, then videos by id), so they wait for each other and never
/// deadlock on the pairs they share. The batch's real changes of likes reach Social as one event of net counter
/// changes (<see cref="FavoriteCountsChangedIntegrationEvent"/>) through the outbox, in the same transaction. After the commit the cached records of the batch's videos, and the liked sets of its likers, are dropped.
/// </summary>
public sealed class FeedWriteApplier(FeedDbContext db, IIntegrationEventOutbox outbox, VideoCache cache, FavoriteLookup favorites)
{
    sealed record FavoriteState(long UserId, long VideoId, bool IsFavorite, long Sequence);

    sealed record VideoAuthor(long Id, long AuthorId);

    public async Task ApplyAsync(IReadOnlyList<FeedWrite> writes, CancellationToken cancellationToken)
    {
        await outbox.ExecuteInTransactionAsync(async ct =>
        {
            var favoriteDeltas = new Dictionary<long, long>();
            var commentDeltas = new Dictionary<long, long>();
            var changedLikes = await ApplyFavoritesAsync([.. writes.OfType<FavoriteWrite>()], favoriteDeltas, ct);
            await ApplyCommentsAsync([.. writes.OfType<CommentPostWrite>()], [.. writes.OfType<CommentDeleteWrite>()], commentDeltas, ct);

            var authors = await UpdateVideosAsync(favoriteDeltas, commentDeltas, ct);
            var given = new Dictionary<long, long>();
            var received = new Dictionary<long, long>();
            foreach (var like in changedLikes)
            {
                // A like of a video that no longer exists is kept but not counted for anyone.
                if (authors.TryGetValue(like.VideoId, out var authorId))
                {
                    var delta = like.IsFavorite ? 1 : -1;
                    given[like.UserId] = given.GetValueOrDefault(like.UserId) + delta;
                    received[authorId] = received.GetValueOrDefault(authorId) + delta;
                }
            }
            FavoriteCountDelta[] counts = [.. given.Keys.Union(received.Keys)
                .Select(user => new FavoriteCountDelta(user, given.GetValueOrDefault(user), received.GetValueOrDefault(user)))
                .Where(c => c.FavoriteCount != 0 || c.TotalFavorited != 0)];
            if (counts.Length > 0)
            {
                await outbox.AddAsync(new FavoriteCountsChangedIntegrationEvent(counts), ct);
            }
        }, cancellationToken);

        // Every video and liker of the batch, changed or not: a batch redelivered because this failed changes nothing
        // the second time, yet must still clear what the first attempt left cached. A Redis failure fails the batch.
        await cache.InvalidateAsync([.. writes.Select(w => w.VideoId).Distinct()]);
        await favorites.InvalidateLikedAsync(writes.OfType<FavoriteWrite>().Select(w => w.UserId));
    }

    /// <returns>The pairs whose state really changed, with their new state.</returns>
    async Task<List<FavoriteWrite>> ApplyFavoritesAsync(List<FavoriteWrite> writes, Dictionary<long, long> deltas, CancellationToken ct)
    {
        if (writes.Count == 0)
        {
            return [];
        }
        var latest = writes.GroupBy(w => (w.UserId, w.VideoId))
            .Select(g => g.MaxBy(w => w.Sequence)!)
            .OrderBy(w => w.UserId).ThenBy(w => w.VideoId)
            .ToList();
        var users = latest.Select(w => w.UserId).ToArray();
        var videos = latest.Select(w => w.VideoId).ToArray();

        // A pair never liked gets an unliked row at sequence 0 first, so that every pair has a row to lock below;
        // a concurrent batch inserting the same pair makes this wait for it, then do nothing.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO favorites (user_id, video_id, is_favorite, sequence, created_at)
            SELECT t.u, t.v, false, 0, now() FROM unnest({users}, {videos}) WITH ORDINALITY AS t(u, v, n) ORDER BY t.n
            ON CONFLICT DO NOTHING
            """, ct);
        var current = await db.Database.SqlQuery<FavoriteState>($"""
            SELECT f.user_id AS "UserId", f.video_id AS "VideoId", f.is_favorite AS "IsFavorite", f.sequence AS "Sequence"
            FROM favorites f JOIN unnest({users}, {videos}) AS t(u, v) ON f.user_id = t.u AND f.video_id = t.v
            ORDER BY f.user_id, f.video_id
            FOR UPDATE OF f
            """).ToDictionaryAsync(s => (s.UserId, s.VideoId), ct);

        // Only writes newer than the pair's last applied one; the others are older actions or redeliveries.
        var newer = latest.Where(w => w.Sequence > current[(w.UserId, w.VideoId)].Sequence).ToList();
        if (newer.Count == 0)
        {
            return [];
        }
        await db.Database.ExecuteSqlAsync($"""
            UPDATE favorites f
            SET is_favorite = t.liked, sequence = t.seq,
                created_at = CASE WHEN t.liked AND NOT f.is_favorite THEN t.at ELSE f.created_at END
            FROM unnest({newer.Select(w => w.UserId).ToArray()}, {newer.Select(w => w.VideoId).ToArray()},
                        {newer.Select(w => w.IsFavorite).ToArray()}, {newer.Select(w => w.Sequence).ToArray()},
                        {newer.Select(w => w.AcceptedAt).ToArray()}) AS t(u, v, liked, seq, at)
            WHERE f.user_id = t.u AND f.video_id = t.v
            """, ct);

        var changed = newer.Where(w => w.IsFavorite != current[(w.UserId, w.VideoId)].IsFavorite).ToList();
        foreach (var change in changed)
        {
            deltas[change.VideoId] = deltas.GetValueOrDefault(change.VideoId) + (change.IsFavorite ? 1 : -1);
        }
        return changed;
    }

    async Task ApplyCommentsAsync(List<CommentPostWrite> posts, List<CommentDeleteWrite> deletes, Dictionary<long, long> deltas, CancellationToken ct)
    {
        deletes = [.. deletes.DistinctBy(d => d.CommentId).OrderBy(d => d.CommentId)];
        posts = [.. posts.DistinctBy(p => p.CommentId).OrderBy(p => p.CommentId)];

        // Tombstones first: a delete whose post is not applied yet leaves a deleted row, so the post (in this batch or
        // a later one) inserts nothing; the delete wins whatever the order of delivery.
        if (deletes.Count > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO comments (id, video_id, user_id, content, created_at, is_deleted)
                SELECT t.id, t.v, t.u, '', t.at, true
                FROM unnest({deletes.Select(d => d.CommentId).ToArray()}, {deletes.Select(d => d.VideoId).ToArray()},
                            {deletes.Select(d => d.UserId).ToArray()},
                            {deletes.Select(d => SnowflakeIdGenerator.GetTimestamp(d.CommentId)).ToArray()}) WITH ORDINALITY AS t(id, v, u, at, n)
                ORDER BY t.n
                ON CONFLICT DO NOTHING
                """, ct);
        }
        if (posts.Count > 0)
        {
            var inserted = await db.Database.SqlQuery<long>($"""
                INSERT INTO comments (id, video_id, user_id, content, created_at, is_deleted)
                SELECT t.id, t.v, t.u, t.content, t.at, false
                FROM unnest({posts.Select(p => p.CommentId).ToArray()}, {posts.Select(p => p.VideoId).ToArray()},
                            {posts.Select(p => p.UserId).ToArray()}, {posts.Select(p => p.Content).ToArray()},
                            {posts.Select(p => p.AcceptedAt).ToArray()}) WITH ORDINALITY AS t(id, v, u, content, at, n)
                ORDER BY t.n
                ON CONFLICT DO NOTHING
                RETURNING video_id AS "Value"
                """).ToListAsync(ct);
            foreach (var videoId in inserted)
            {
                deltas[videoId] = deltas.GetValueOrDefault(videoId) + 1;
            }
        }
        if (deletes.Count > 0)
        {
            // Only a live comment of the deleting user; a tombstone inserted above is already deleted.
            var deleted = await db.Database.SqlQuery<long>($"""
                UPDATE comments c SET is_deleted = true, content = ''
                FROM unnest({deletes.Select(d => d.CommentId).ToArray()}, {deletes.Select(d => d.UserId).ToArray()}) AS t(id, u)
                WHERE c.id = t.id AND c.user_id = t.u AND NOT c.is_deleted
                RETURNING c.video_id AS "Value"
                """).ToListAsync(ct);
            foreach (var videoId in deleted)
            {
                deltas[videoId] = deltas.GetValueOrDefault(videoId) - 1;
            }
        }
    }

    /// <returns>The author of each video the batch changed.</returns>
    async Task<Dictionary<long, long>> UpdateVideosAsync(Dictionary<long, long> favoriteDeltas, Dictionary<long, long> commentDeltas, CancellationToken ct)
    {
        var ids = favoriteDeltas.Keys.Union(commentDeltas.Keys).Order().ToArray();
        if (ids.Length == 0)
        {
            return [];
        }
        var authors = await db.Database.SqlQuery<VideoAuthor>($"""
            SELECT id AS "Id", author_id AS "AuthorId" FROM videos WHERE id = ANY({ids}) ORDER BY id FOR NO KEY UPDATE
            """).ToDictionaryAsync(v => v.Id, v => v.AuthorId, ct);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE videos v SET favorite_count = v.favorite_count + t.f, comment_count = v.comment_count + t.c
            FROM unnest({ids}, {ids.Select(id => favoriteDeltas.GetValueOrDefault(id)).ToArray()},
                        {ids.Select(id => commentDeltas.GetValueOrDefault(id)).ToArray()}) AS t(id, f, c)
            WHERE v.id = t.id
            """, ct);
        return authors;
    }
}
