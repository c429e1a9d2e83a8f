namespace Douyin.Chat.Messages;

public sealed class MessageOptions
{
    public const string SectionName = "Messages";

    /// <summary>
    /// The most messages one history answer carries, oldest first. A client that asked for more simply gets the rest
    /// on its next poll (it sends back the newest create_time it holds), so nothing is lost.
    /// </summary>
    public int MaxHistoryPage { get; set; } = 1000;
}
