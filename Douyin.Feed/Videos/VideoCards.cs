using Douyin.ServiceDefaults.Users;

namespace Douyin.Feed.Videos;

/// <summary>
/// Renders stored videos for one viewer: authors from Social in one batched call, likes in one query, media paths
/// made absolute for the client that asked.
/// </summary>
public sealed class VideoCards(UserCardsClient users, FavoriteLookup favorites, PublicUrls urls)
{
    public async Task<List<VideoCard>> RenderAsync(HttpContext context, IReadOnlyList<Video> videos, long? viewerId, CancellationToken cancellationToken)
    {
        if (videos.Count == 0)
        {
            return [];
        }

        var authors = users.GetCardsAsync([.. videos.Select(v => v.AuthorId).Distinct()], viewerId, cancellationToken);
        var liked = await favorites.GetLikedAsync(viewerId, [.. videos.Select(v => v.Id)], cancellationToken);
        var cards = await authors;

        return [.. videos.Select(video => new VideoCard
        {
            Id = video.Id,
            // An account Social no longer knows still gets a complete (if bare) author object.
            Author = urls.Absolute(context, cards.GetValueOrDefault(video.AuthorId) ?? new User { Id = video.AuthorId }),
            PlayUrl = urls.Absolute(context, video.PlayPath),
            CoverUrl = urls.Absolute(context, video.CoverPath),
            FavoriteCount = video.FavoriteCount,
            CommentCount = video.CommentCount,
            IsFavorite = liked.Contains(video.Id),
            Title = video.Title,
        })];
    }
}
