using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;

namespace Douyin.IntegrationTests.Faults;

/// <summary>
/// Social stopped: Feed's lists still answer with placeholder authors, a message (whose recipient only Social can
/// vouch for) is refused with a reason, and Feed's circuit breaker stops calling the dead Social. A stand-in listener
/// on Social's ports counts the connections Feed still makes: without the breaker every list read would cost three
/// (a call and two retries); once the circuit is open, reads cost none.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class SocialOutageTests(DouyinAppFixture fixture)
{
    [Fact]
    public async Task FeedsAnswerWithPlaceholdersWritesNeedingSocialFailCleanlyAndTheCircuitOpens()
    {
        var (authorId, token) = await fixture.Web.RegisterAsync();
        var (peerId, _) = await fixture.Web.RegisterAsync();
        await new FeedWritesBackstage(fixture).SeedVideoAsync(authorId);
        var before = await PublishListAsync(token, authorId);
        Assert.NotEqual($"user {authorId}", before["author"]!["name"]!.GetValue<string>());
        // Twenty different viewers, so that a round's reads are twenty different calls to Social (each asks whom its
        // viewer follows; the authors' cards, the same for all, are shared in flight), and the breaker counts calls.
        // Each has read once, so Feed knows their tokens.
        var viewers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => fixture.Web.RegisterAsync()));
        await Task.WhenAll(viewers.Select(v => PublishListAsync(v.Token, authorId)));

        var social = new SocialBackstage(fixture);
        var ports = fixture.App.ReplicaNames("social").SelectMany(SocialPorts).ToList(); // every replica's
        await social.StopAsync("social");
        var connections = 0;
        var listeners = ports.SelectMany(port => Listen(port, () => Interlocked.Increment(ref connections))).ToList();
        try
        {
            var message = await fixture.Web.ApiPostAsync("/douyin/message/action/", ("token", token), ("to_user_id", peerId), ("action_type", 1), ("content", "hi"));
            Assert.Equal(503, message.StatusCode());
            Assert.Contains("recipient", message.StatusMsg());

            // Reads until a round of 20 makes no connection at all: every Feed replica's circuit is open.
            var rounds = 0;
            while (true)
            {
                Assert.True(++rounds <= 30, $"Feed kept calling the dead Social: {connections} connections after {rounds - 1} rounds of 20 reads.");
                var seen = Volatile.Read(ref connections);
                var videos = await Task.WhenAll(viewers.Select(v => PublishListAsync(v.Token, authorId)));
                Assert.All(videos, video => Assert.Equal($"user {authorId}", video["author"]!["name"]!.GetValue<string>()));
                if (Volatile.Read(ref connections) == seen)
                {
                    break;
                }
            }
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
            await social.StartAsync("social");
        }

        // Half-open after the break, a successful trial closes the circuit: real cards again, with no service restarted.
        using var recovery = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while ((await PublishListAsync(token, authorId))["author"]!["name"]!.GetValue<string>() == $"user {authorId}")
        {
            await Task.Delay(200, recovery.Token);
        }
        var sent = await fixture.Web.ApiPostAsync("/douyin/message/action/", ("token", token), ("to_user_id", peerId), ("action_type", 1), ("content", "back"));
        Assert.Equal(0, sent.StatusCode());
    }

    async Task<JsonObject> PublishListAsync(string token, long authorId)
    {
        var reply = await fixture.Web.ApiGetAsync("/douyin/publish/list/", ("user_id", authorId), ("token", token));
        Assert.Equal(0, reply.StatusCode());
        return reply["video_list"]!.AsArray().Single()!.AsObject();
    }

    List<int> SocialPorts(string replica)
    {
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState(replica, out var state));
        return [.. state!.Snapshot.Urls.Where(u => u.Name == "http").Select(u => new Uri(u.Url).Port)];
    }

    /// <summary>
    /// Listeners on a stopped service's port ("localhost": IPv6 and IPv4 loopback, as Kestrel bound it) that accept
    /// and reset every connection, counting them.
    /// </summary>
    static IEnumerable<TcpListener> Listen(int port, Action counted)
    {
        foreach (var address in new[] { IPAddress.IPv6Loopback, IPAddress.Loopback })
        {
            var listener = new TcpListener(address, port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                listener.Start();
            }
            catch (SocketException) when (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                continue; // no IPv6 here, so nothing connects over it either
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        using var client = await listener.AcceptTcpClientAsync();
                        counted();
                        client.Client.LingerState = new LingerOption(true, 0); // close with a reset, as a dead port refuses
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Stopped.
                }
            });
            yield return listener;
        }
    }
}
