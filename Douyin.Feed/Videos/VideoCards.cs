using Douyin.Api.Users;

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

        var authors = users.GetCardsForDisplayAsync([.. videos.Select(v => v.AuthorId).Distinct()], viewerId, cancellationToken);
        var liked = await favorites.GetLikedAsync(viewerId, [.. videos.Select(v => v.Id)], cancellationToken);
        var cards = await authors;

        return [.. videos.Select(video => new VideoCard
        {
            Id = video.Id,
            Author = urls.Absolute(context, cards[video.AuthorId]),
            PlayUrl = urls.Absolute(context, video.StreamPath),
            CoverUrl = urls.Absolute(context, video.CoverPath),
            FavoriteCount = video.FavoriteCount,
            CommentCount = video.CommentCount,
            IsFavorite = liked.Contains(video.Id),
            Title = video.Title,
        })];
    }
}
