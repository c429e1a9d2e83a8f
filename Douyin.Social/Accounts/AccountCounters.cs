using Douyin.ServiceDefaults.Data;

namespace Douyin.Social.Accounts;

/// <summary>A change to one user's card counters, applied with <see cref="AccountCounters.ApplyAsync"/>.</summary>
public readonly record struct CounterChange(
    long UserId, long FollowCount = 0, long FollowerCount = 0, long WorkCount = 0, long FavoriteCount = 0, long TotalFavorited = 0);

public static class AccountCounters
{
    /// <summary>
    /// The one way counters change: atomic increments inside the caller's transaction, next to the row change they
    /// count, so they cannot drift. Rows are updated in id order, so two transactions touching the same two users
    /// (A follows B while B follows A) cannot deadlock. Unknown users are skipped (an event may name a user that
    /// Social never had). No clamping at zero: events may arrive out of order, and the sum is what must be right.
    /// After the commit, invalidate the cards of <see cref="CounterChange.UserId"/>s.
    /// </summary>
    public static async Task ApplyAsync(this SocialDbContext db, IEnumerable<CounterChange> changes, CancellationToken cancellationToken)
    {
        CounterChange[] merged = [.. changes
            .GroupBy(c => c.UserId)
            .Select(g => g.Aggregate((a, b) => new(a.UserId,
                a.FollowCount + b.FollowCount, a.FollowerCount + b.FollowerCount, a.WorkCount + b.WorkCount,
                a.FavoriteCount + b.FavoriteCount, a.TotalFavorited + b.TotalFavorited)))
            .OrderBy(c => c.UserId)];
        if (merged.Length == 0)
        {
            return;
        }
        long[] ids = [.. merged.Select(c => c.UserId)];
        // Two statements whatever the number of users (a batch of likes touches hundreds): lock in id order, then add.
        // FOR NO KEY UPDATE, the lock the UPDATE takes anyway: FOR UPDATE would also conflict with the key-share locks
        // that inserting a follow takes on both users (its foreign keys), and two crossing follows then deadlocked.
        await db.Database.ExecutePositionalAsync("SELECT 1 FROM users WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE", cancellationToken, ids);
        await db.Database.ExecutePositionalAsync("""
            UPDATE users u
            SET follow_count = u.follow_count + t.follow, follower_count = u.follower_count + t.follower,
                work_count = u.work_count + t.work, favorite_count = u.favorite_count + t.favorite,
                total_favorited = u.total_favorited + t.favorited
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[]) AS t(id, follow, follower, work, favorite, favorited)
            WHERE u.id = t.id
            """, cancellationToken,
            ids, merged.Select(c => c.FollowCount).ToArray(), merged.Select(c => c.FollowerCount).ToArray(),
            merged.Select(c => c.WorkCount).ToArray(), merged.Select(c => c.FavoriteCount).ToArray(), merged.Select(c => c.TotalFavorited).ToArray());
    }
}
