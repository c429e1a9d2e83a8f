namespace Douyin.Social.Relations;

public sealed class RelationOptions
{
    public const string SectionName = "Relations";

    /// <summary>
    /// How long the friend list waits for Chat's message previews before answering without them; well inside the
    /// mobile client's 5 s budget, where the HTTP client's own policy (retries, 10 s in total) is not.
    /// </summary>
    public TimeSpan MessagePreviewTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
