using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Chat;

/// <summary>
/// What a chat screen holds, as the browser client's (ClientApp/src/views/chat.ts) does: one conversation, each message
/// once, oldest first. Messages come live from a reconnecting <see cref="ChatHubClient"/>, and from the history endpoint
/// (<c>/douyin/message/chat/</c> with <c>pre_msg_time</c>, the newest create_time held) when it opens and after every
/// reconnect, for what was pushed while the connection was down. A push and a catch-up may bring the same message:
/// it is kept by its id. create_time orders a conversation (Chat makes it unique and increasing in commit order), so
/// the catch-up after the newest one held misses nothing.
/// </summary>
public sealed class ChatConversation : IAsyncDisposable
{
    static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    readonly HttpClient _web;
    readonly string _token;
    readonly long _userId;
    readonly long _peerId;
    readonly SortedList<long, JsonObject> _byTime = [];
    readonly HashSet<long> _ids = [];
    readonly SemaphoreSlim _catchingUp = new(1, 1);
    readonly Changes _changes = new();
    readonly List<string> _failures = [];
    int _caughtUp;

    ChatConversation(HttpClient web, ChatHubClient hub, string token, long userId, long peerId)
    {
        (_web, Hub, _token, _userId, _peerId) = (web, hub, token, userId, peerId);
        hub.Pushed += message => Add(message, fromHistory: false);
        hub.OnReconnected += CatchUpAsync;
    }

    /// <summary>Opens the conversation of <paramref name="userId"/> with <paramref name="peerId"/> through the edge.</summary>
    public static async Task<ChatConversation> OpenAsync(HttpClient web, string token, long userId, long peerId)
    {
        var hub = await ChatHubClient.ConnectAsync(new Uri(web.BaseAddress!, "/hubs/chat"), token, reconnect: true);
        var conversation = new ChatConversation(web, hub, token, userId, peerId);
        await conversation.CatchUpAsync(); // what was sent before, or pushed before it listened
        return conversation;
    }

    public ChatHubClient Hub { get; }

    /// <summary>The messages held, oldest first.</summary>
    public IReadOnlyList<JsonObject> Messages
    {
        get
        {
            lock (_byTime)
            {
                return [.. _byTime.Values];
            }
        }
    }

    /// <summary>How many of them came from history rather than a push.</summary>
    public int CaughtUp => Volatile.Read(ref _caughtUp);

    /// <summary>Catch-ups whose history answer was not a success (each is also in the test's output).</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    public Task WaitUntilAsync(Func<IReadOnlyList<JsonObject>, bool> condition, string what) =>
        _changes.WaitUntilAsync(() => condition(Messages), s_wait, what);

    /// <summary>Asks history for everything after the newest message held, page after page until an empty one.</summary>
    async Task CatchUpAsync()
    {
        await _catchingUp.WaitAsync();
        try
        {
            while (true)
            {
                long newest;
                lock (_byTime)
                {
                    newest = _byTime.Count == 0 ? 0 : _byTime.Keys[^1];
                }
                var reply = await _web.ApiGetAsync("/douyin/message/chat/", ("token", _token), ("to_user_id", _peerId), ("pre_msg_time", newest));
                if (reply.StatusCode() != 0)
                {
                    lock (_failures)
                    {
                        _failures.Add(reply.StatusMsg());
                    }
                    return;
                }
                var page = reply["message_list"]!.AsArray().Select(m => m!.AsObject()).ToList();
                if (page.Count == 0)
                {
                    return;
                }
                page.ForEach(m => Add(m, fromHistory: true));
            }
        }
        finally
        {
            _catchingUp.Release();
        }
    }

    void Add(JsonObject message, bool fromHistory)
    {
        var parties = new[] { message.Id("from_user_id"), message.Id("to_user_id") };
        if (!parties.Contains(_userId) || !parties.Contains(_peerId))
        {
            return;
        }
        lock (_byTime)
        {
            if (!_ids.Add(message.Id("id")))
            {
                return;
            }
            _byTime.Add(message.Id("create_time"), message);
        }
        if (fromHistory)
        {
            Interlocked.Increment(ref _caughtUp);
        }
        _changes.Notify();
    }

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}
