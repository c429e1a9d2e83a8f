namespace Douyin.Api;

/// <summary>
/// The API's User object (shared/api/douyin-api.md §2.1): all eleven fields, always written.
/// Douyin.Social renders it; Feed and Chat embed what Social gives them. Not sealed: the friend list's
/// FriendUser is a User plus two fields, and the JSON must carry them side by side.
/// </summary>
public record User
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public long FollowCount { get; init; }
    public long FollowerCount { get; init; }
    public bool IsFollow { get; init; }
    public string Avatar { get; init; } = "";
    public string BackgroundImage { get; init; } = "";
    public string Signature { get; init; } = "";
    public long TotalFavorited { get; init; }
    public long WorkCount { get; init; }
    public long FavoriteCount { get; init; }
}
