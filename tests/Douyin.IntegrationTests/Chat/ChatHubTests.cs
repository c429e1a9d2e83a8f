using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.Api.Identity;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Douyin.IntegrationTests.Chat;

/// <summary>The SignalR hub with a real client, through the gateway and straight at each of Chat's two replicas.</summary>
[Collection(DouyinAppCollection.Name)]
public sealed class ChatHubTests(DouyinAppFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// How long a test waits for a push before it calls it lost. Not a latency target: a push takes milliseconds, but a
    /// shared 2-core runner can stall a process for a second, and a timed bound would fail there by chance. How soon is
    /// a figure (written to the test output), as the guide wants speed measured, not asserted.
    /// </summary>
    static readonly TimeSpan s_pushDeadline = TimeSpan.FromSeconds(15);

    readonly HttpClient _web = fixture.Web;

    Uri ThroughGateway => new(_web.BaseAddress!, "/hubs/chat");

    Uri AtReplica(int replica) => new(fixture.ChatReplica(replica), "/hubs/chat");

    [Fact]
    public async Task AMessageSentThroughOneReplicaIsPushedToEveryDeviceOfBothPartiesOnAnyReplica()
    {
        var (aId, a) = await _web.RegisterAsync();
        var (bId, b) = await _web.RegisterAsync();
        await using var bOnReplica1 = await ChatHubClient.ConnectAsync(AtReplica(1), b);
        await using var bThroughGateway = await ChatHubClient.ConnectAsync(ThroughGateway, b);
        await using var aOtherDevice = await ChatHubClient.ConnectAsync(AtReplica(0), a);

        // Over HTTP, straight to replica 0.
        using var replica0 = new HttpClient { BaseAddress = fixture.ChatReplica(0) };
        var sent = Stopwatch.StartNew();
        Assert.Equal(0, (await replica0.SendMessageAsync(a, bId, "over http")).StatusCode());
        var pushed = await bOnReplica1.ReceiveAsync("over http", s_pushDeadline);
        await bThroughGateway.ReceiveAsync("over http", s_pushDeadline);
        await aOtherDevice.ReceiveAsync("over http", s_pushDeadline);
        output.WriteLine($"over http: sent and pushed to three devices on two replicas in {sent.Elapsed.TotalMilliseconds:0} ms");

        // The push is the stored message, in the API's shape.
        var stored = Assert.Single(await _web.ChatAsync(b, aId));
        Assert.Equal(["id", "to_user_id", "from_user_id", "content", "create_time"], pushed.Select(p => p.Key));
        Assert.Equal(
            (stored.Id("id"), bId, aId, stored.Id("create_time")),
            (pushed.Id("id"), pushed.Id("to_user_id"), pushed.Id("from_user_id"), pushed.Id("create_time")));

        // Over the hub, from a connection on replica 1 to one on replica 0: the caller gets the stored message back.
        await using var aOnReplica1 = await ChatHubClient.ConnectAsync(AtReplica(1), a);
        await using var bOnReplica0 = await ChatHubClient.ConnectAsync(AtReplica(0), b);
        var clock = Stopwatch.StartNew();
        var result = await bOnReplica0.InvokeSendAsync(aId, "over the hub");
        Assert.Equal("result", result.Event());
        var answered = clock.Elapsed;
        var received = await aOnReplica1.ReceiveAsync("over the hub", s_pushDeadline);
        await aOtherDevice.ReceiveAsync("over the hub", s_pushDeadline);
        await bThroughGateway.ReceiveAsync("over the hub", s_pushDeadline); // the sender's other devices too
        output.WriteLine($"over the hub: answered in {answered.TotalMilliseconds:0} ms, pushed to three devices in {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(result["message"]!.Id("id"), received.Id("id"));
        Assert.Equal([stored.Id("id"), received.Id("id")], (await _web.ChatAsync(a, bId)).Select(m => m.Id("id")));

        // Nobody else's messages reach these connections.
        Assert.All(new[] { bOnReplica1, bThroughGateway, aOtherDevice, aOnReplica1, bOnReplica0 }.SelectMany(c => c.Unclaimed),
            m => Assert.Equal([aId, bId], new[] { m.Id("from_user_id"), m.Id("to_user_id") }.Order()));
    }

    /// <summary>
    /// The client negotiates first (a POST), then opens the WebSocket with the connection token it got: both must reach
    /// the replica that holds the connection. Several users, so that both replicas are chosen.
    /// </summary>
    [Fact]
    public async Task TheGatewayKeepsEachClientsNegotiateAndWebSocketOnOneReplica()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _web.RegisterAsync()));
        var (_, sender) = await _web.RegisterAsync();
        var clients = await Task.WhenAll(users.Select(u => ChatHubClient.ConnectAsync(ThroughGateway, u.Token)));
        try
        {
            foreach (var ((userId, _), client) in users.Zip(clients))
            {
                Assert.Equal(0, (await _web.SendMessageAsync(sender, userId, $"to {userId}")).StatusCode());
                Assert.Equal(userId, (await client.ReceiveAsync($"to {userId}", s_pushDeadline)).Id("to_user_id"));
            }
            Assert.All(clients, c => Assert.Empty(c.Unclaimed));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TheHubRefusesAnonymousConnectionsAndBadMessagesWithAReason()
    {
        var (aId, a) = await _web.RegisterAsync();

        // Negotiate answers 401 with problem details, through the gateway too (not the API's HTTP 200 envelope).
        using var negotiate = await _web.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", content: null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        Assert.Equal("application/problem+json", negotiate.Content.Headers.ContentType?.MediaType);
        foreach (var token in new[] { "", "not-a-token" })
        {
            var (client, failure) = await ChatHubClient.TryConnectAsync(ThroughGateway, token);
            await client.DisposeAsync();
            Assert.Contains("401", failure);
        }

        // A client that skips negotiation opens the WebSocket at once: the gateway passes the replica's refusal on.
        using var socket = new ClientWebSocket { Options = { CollectHttpResponseDetails = true } };
        var wsUrl = new UriBuilder(ThroughGateway) { Scheme = "ws", Query = "access_token=not-a-token" }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(wsUrl, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        // A browser's WebSocket carries its token as access_token (it cannot set headers): a valid one is let in.
        using var browserLike = new ClientWebSocket();
        await browserLike.ConnectAsync(new UriBuilder(ThroughGateway) { Scheme = "ws", Query = $"access_token={a}" }.Uri, CancellationToken.None);
        Assert.Equal(WebSocketState.Open, browserLike.State);

        await using var hub = await ChatHubClient.ConnectAsync(ThroughGateway, a);
        async Task Refused(long to, string content, string reason)
        {
            var answer = await hub.InvokeSendAsync(to, content);
            Assert.Equal("error", answer.Event());
            Assert.Contains(reason, answer["error"]!.ToString());
        }
        await Refused(aId, "hi me", "yourself");
        await Refused(long.MaxValue - 7, "hi nobody", "does not exist");
        await Refused(aId + 1, "", "content is required");
        await Refused(aId + 1, new string('x', 501), "1 to 500 characters");
        Assert.Empty(hub.Unclaimed);
    }

    /// <summary>A connection lives only as long as its token: the hub closes it once the token expires, and keeps others open.</summary>
    [Fact]
    public async Task TheHubClosesAConnectionWhenItsTokenExpires()
    {
        var (aId, a) = await _web.RegisterAsync();
        var (bId, _) = await _web.RegisterAsync();
        // Social issues week-long tokens; one of a few seconds comes from the same token service with the app's own key.
        var lifetime = TimeSpan.FromSeconds(10); // room to connect and send on a busy machine
        await using var lasting = await ChatHubClient.ConnectAsync(AtReplica(0), a);
        // Replica 0 now learns that both users exist (its user directory remembers it for a minute), so the short token's
        // seconds are not spent asking Social, which took 5 s and more on a loaded machine, just after the app started.
        Assert.Equal("result", (await lasting.InvokeSendAsync(bId, "before the short token")).Event());
        var shortLived = new TokenService(Options.Create(new JwtOptions { Key = await fixture.ParameterAsync("jwt-key"), Lifetime = lifetime }), TimeProvider.System);
        var clock = Stopwatch.StartNew();
        await using var expiring = await ChatHubClient.ConnectAsync(AtReplica(0), shortLived.Issue(bId));
        Assert.Equal("result", (await expiring.InvokeSendAsync(aId, "before expiry")).Event());

        await expiring.ClosedAsync(lifetime + TimeSpan.FromSeconds(20));

        Assert.True(clock.Elapsed > lifetime - TimeSpan.FromSeconds(1), $"closed after {clock.Elapsed}, before the token expired");
        Assert.Equal("result", (await lasting.InvokeSendAsync(bId, "after expiry")).Event());
    }
}
