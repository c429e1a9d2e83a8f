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
        var merged = changes
            .GroupBy(c => c.UserId)
            .Select(g => g.Aggregate((a, b) => new(a.UserId,
                a.FollowCount + b.FollowCount, a.FollowerCount + b.FollowerCount, a.WorkCount + b.WorkCount,
                a.FavoriteCount + b.FavoriteCount, a.TotalFavorited + b.TotalFavorited)))
            .OrderBy(c => c.UserId);
        foreach (var c in merged)
        {
            await db.Accounts.Where(a => a.Id == c.UserId).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.FollowCount, a => a.FollowCount + c.FollowCount)
                .SetProperty(a => a.FollowerCount, a => a.FollowerCount + c.FollowerCount)
                .SetProperty(a => a.WorkCount, a => a.WorkCount + c.WorkCount)
                .SetProperty(a => a.FavoriteCount, a => a.FavoriteCount + c.FavoriteCount)
                .SetProperty(a => a.TotalFavorited, a => a.TotalFavorited + c.TotalFavorited), cancellationToken);
        }
    }
}
