using System.Text;

namespace Douyin.Social.Accounts;

/// <summary>A user of the app: credentials, profile, and the counters shown on the user card.</summary>
public sealed class Account
{
    public const int MaxNameLength = 32;
    public const int MinPasswordLength = 6;
    public const int MaxPasswordLength = 32;

    public long Id { get; set; }
    public required string Name { get; set; }
    public required string NormalizedName { get; set; }
    public required string PasswordHash { get; set; }
    public string? Signature { get; set; }
    public string? Avatar { get; set; }
    public string? BackgroundImage { get; set; }
    public long FollowCount { get; set; }
    public long FollowerCount { get; set; }
    public long WorkCount { get; set; }
    public long FavoriteCount { get; set; }
    public long TotalFavorited { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Names are unique ignoring case and Unicode compatibility forms ("ＡＢＣ" is "abc").</summary>
    public static string Normalize(string name) => name.Trim().Normalize(NormalizationForm.FormKC).ToLowerInvariant();
}
