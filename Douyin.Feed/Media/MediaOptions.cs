namespace Douyin.Feed.Media;

/// <summary>Upload limits and the media tools (section <c>Media</c>).</summary>
public sealed class MediaOptions
{
    public const string SectionName = "Media";

    /// <summary>The largest video accepted. Kestrel enforces it on the request body too (plus room for the other parts).</summary>
    public long MaxVideoBytes { get; set; } = 200L * 1024 * 1024;

    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(15);

    public int MinTitleLength { get; set; } = 1;

    public int MaxTitleLength { get; set; } = 100;

    public string FfprobePath { get; set; } = "ffprobe";

    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>How long one ffprobe or ffmpeg run may take before it is killed.</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Blobs are named by id and never rewritten, so clients and CDNs may keep them for a year.</summary>
    public string CacheControl { get; set; } = "public, max-age=31536000, immutable";

    /// <summary>The request body may exceed the video by this much: the token and title parts and the multipart framing.</summary>
    public const long MultipartOverheadBytes = 64 * 1024;

    public long MaxRequestBytes => MaxVideoBytes + MultipartOverheadBytes;
}
