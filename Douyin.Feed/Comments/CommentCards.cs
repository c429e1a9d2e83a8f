using System.Globalization;
using Douyin.Api.Users;

namespace Douyin.Feed.Comments;

/// <summary>Renders stored comments for one viewer: the commenters from Social in one batched call, dates in the configured zone.</summary>
public sealed class CommentCards(UserCardsClient users, PublicUrls urls, IOptions<CommentOptions> options)
{
    readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    public async Task<List<CommentCard>> RenderAsync(HttpContext context, IReadOnlyList<Comment> comments, long? viewerId, CancellationToken cancellationToken)
    {
        if (comments.Count == 0)
        {
            return [];
        }

        var cards = await users.GetCardsForDisplayAsync([.. comments.Select(c => c.UserId).Distinct()], viewerId, cancellationToken);
        return [.. comments.Select(comment => new CommentCard
        {
            Id = comment.Id,
            User = urls.Absolute(context, cards[comment.UserId]),
            Content = comment.Content,
            CreateDate = TimeZoneInfo.ConvertTime(comment.CreatedAt, _zone).ToString("MM-dd", CultureInfo.InvariantCulture),
        })];
    }
}
