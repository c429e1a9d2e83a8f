namespace Douyin.Feed.Renditions;

/// <summary>The streaming rendition every upload gets in the background (section <c>Renditions</c>).</summary>
public sealed class RenditionOptions
{
    public const string SectionName = "Renditions";

    /// <summary>Whether publishing asks for a rendition; false serves every upload as it came.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>ffmpeg runs at once in this process: one on two cores, so an encode never starves the API.</summary>
    public int MaxConcurrent { get; set; } = 1;

    /// <summary>The most lines of the short side (1080: a landscape 1920x1080 or a portrait 1080x1920).</summary>
    public int MaxHeight { get; set; } = 1080;

    public double MaxFrameRate { get; set; } = 60;

    /// <summary>The video bitrate ceiling in kbit/s: an encode is capped to it, and a source above it is encoded, not remuxed.</summary>
    public int MaxBitrate { get; set; } = 6000;

    public int AudioBitrate { get; set; } = 128;

    /// <summary>libx264's preset and quality (lower is better); the bitrate ceiling still caps it.</summary>
    public string Preset { get; set; } = "veryfast";

    public int Crf { get; set; } = 23;

    /// <summary>Threads one ffmpeg run may use.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>How long one probe and encode may take before ffmpeg is killed and the attempt fails.</summary>
    public TimeSpan EncodeTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Keep the upload as it came once its rendition is stored (false deletes it).</summary>
    public bool KeepOriginal { get; set; } = true;

    /// <summary>Retries of a failed rendition before its job is dead-lettered (the video keeps its original meanwhile).</summary>
    public int RetryCount { get; set; } = 3;

    /// <summary>The first retry's delay; it doubles on each retry (with jitter).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the queued-renditions gauge reads the queue's depth from the broker.</summary>
    public TimeSpan QueueDepthInterval { get; set; } = TimeSpan.FromSeconds(10);
}
