namespace Douyin.Web.Media;

/// <summary>How media is served (section <c>Media</c>).</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Media";

    /// <summary>Media blobs are named by id and never rewritten, so clients and CDNs may keep them for a year.</summary>
    public string CacheControl { get; set; } = "public, max-age=31536000, immutable";

}
