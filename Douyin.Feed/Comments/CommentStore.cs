using System.Globalization;
using System.Text.Json;

namespace Douyin.Feed.Comments;

/// <summary>
/// Reads of comments: a video's list from PostgreSQL, and a single comment for a delete, which may still be on its way
/// through the write queue. A post is remembered in Redis (<c>feed:comment:pending:{id}</c>) before it is queued, so
/// its author can delete it at once; the delete then wins in the database whatever order the two writes arrive in.
/// </summary>
public sealed class CommentStore(FeedDbContext db, IConnectionMultiplexer redis, IOptions<CommentOptions> options, ILogger<CommentStore> logger)
{
    readonly IDatabase _redis = redis.GetDatabase();

    static string PendingKey(long commentId) => "feed:comment:pending:" + commentId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The live comments of a video, newest first.</summary>
    public Task<List<Comment>> ListAsync(long videoId, CancellationToken cancellationToken) =>
        db.Comments.AsNoTracking()
            .Where(c => c.VideoId == videoId && !c.IsDeleted)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Take(options.Value.MaxListSize)
            .ToListAsync(cancellationToken);

    /// <summary>The comment as stored (possibly a tombstone), else as posted but not yet applied, else null.</summary>
    public async Task<Comment?> FindAsync(long commentId, CancellationToken cancellationToken)
    {
        if (await db.Comments.AsNoTracking().FirstOrDefaultAsync(c => c.Id == commentId, cancellationToken) is { } stored)
        {
            return stored;
        }
        try
        {
            return (string?)await _redis.StringGetAsync(PendingKey(commentId)) is { } json
                ? JsonSerializer.Deserialize<Comment>(json)
                : null;
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning(ex, "Cannot look up pending comment {CommentId}", commentId);
            return null;
        }
    }

    /// <summary>Best effort: without Redis, a comment can be deleted once applied (well under a second later).</summary>
    public async Task RememberPendingAsync(Comment comment)
    {
        try
        {
            await _redis.StringSetAsync(PendingKey(comment.Id), JsonSerializer.Serialize(comment), options.Value.PendingTtl);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning(ex, "Cannot remember pending comment {CommentId}", comment.Id);
        }
    }
}
