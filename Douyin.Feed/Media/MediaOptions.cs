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

    /// <summary>The folder of ffprobe and ffmpeg (FFMpegCore's <c>BinaryFolder</c>); empty, they are found on the PATH.</summary>
    public string ToolsFolder { get; set; } = "";

    /// <summary>How long one ffprobe or ffmpeg run may take before it is killed.</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Uploads this process handles at once; one more is refused with the envelope rather than queued.</summary>
    public int MaxConcurrentUploads { get; set; } = 16;

    /// <summary>
    /// Uploads whose file part arrives before any valid token (the official client sends the file first), per client
    /// address (IPv4, IPv6 /64), being spooled to disk at once. An anonymous caller cannot fill the disk in parallel.
    /// </summary>
    public int MaxUnauthenticatedUploadsPerAddress { get; set; } = 2;

    /// <summary>Bytes of spooled uploads this process keeps on disk at once; an upload that would pass it is refused.</summary>
    public long MaxSpoolBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>ffprobe and ffmpeg runs at once in this process (they are CPU-bound); one more is refused, not queued.</summary>
    public int MaxConcurrentToolRuns { get; set; } = 4;

    /// <summary>Threads each ffprobe or ffmpeg run may use.</summary>
    public int ToolThreads { get; set; } = 2;

    /// <summary>Most bytes of stdout or stderr kept from one tool run; a run that prints more is a refusal.</summary>
    public int MaxToolOutputBytes { get; set; } = 1024 * 1024;

    /// <summary>The widest or tallest video accepted, in pixels (4K is 3840).</summary>
    public int MaxVideoDimension { get; set; } = 4096;

    /// <summary>Streams (video, audio, data) a container may hold; phones write four or five.</summary>
    public int MaxStreams { get; set; } = 8;

    public double MaxFrameRate { get; set; } = 240;

    /// <summary>Blobs are named by id and never rewritten, so clients and CDNs may keep them for a year.</summary>
    public string CacheControl { get; set; } = "public, max-age=31536000, immutable";

    /// <summary>The request body may exceed the video by this much: the token and title parts and the multipart framing.</summary>
    public const long MultipartOverheadBytes = 64 * 1024;

    public long MaxRequestBytes => MaxVideoBytes + MultipartOverheadBytes;
}
