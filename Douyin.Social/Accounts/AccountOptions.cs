namespace Douyin.Social.Accounts;

/// <summary>Profile defaults: the API has no way to set avatar, banner or bio, yet the client shows them.</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>A path served by Douyin.Web, or an absolute URL.</summary>
    public string DefaultAvatar { get; set; } = "/assets/avatar.svg";

    public string DefaultBackgroundImage { get; set; } = "/assets/background.svg";

    public string DefaultSignature { get; set; } = "Nothing here yet.";
}
