using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace Douyin.IntegrationTests.Chat;

/// <summary>Issue 18, item 3: a client of the hub whose replica stops reconnects to another and misses no message.</summary>
[Collection(ChatReplicaLossCollection.Name)]
public sealed class ChatReplicaLossTests(ChatReplicaLossFixture fixture, ITestOutputHelper output)
{
    /// <summary>The pace of a chatty sender (load shaping, not a wait for anything).</summary>
    static readonly TimeSpan s_pace = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a step may take on a loaded 2-core machine before the test calls it lost; how long it took is in the output.</summary>
    static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    const string Prefix = "m ";

    [Fact]
    public async Task AClientWhoseReplicaStopsReconnectsToTheOtherAndEndsWithEveryMessageOnceInOrder()
    {
        var web = fixture.Web;
        var (aId, a) = await web.RegisterAsync();
        var (bId, b) = await web.RegisterAsync();
        var replicas = fixture.App.ReplicaNames("chat");

        // Which replica stored a message shows in its id: the snowflake's worker bits, leased by each running replica.
        var workers = new List<long>();
        for (var i = 0; i < replicas.Count; i++)
        {
            using var replica = new HttpClient { BaseAddress = fixture.ChatReplica(i) };
            Assert.Equal(0, (await replica.SendMessageAsync(b, aId, $"stored by replica {i}")).StatusCode());
            workers.Add(Worker((await web.ChatAsync(a, bId))[^1]));
        }
        Assert.Equal(replicas.Count, workers.Distinct().Count());

        await using var conversation = await ChatConversation.OpenAsync(web, a, aId, bId);
        // A message sent over the connection is stored by the replica that holds it.
        async Task<int> HoldingReplicaAsync(string content)
        {
            var sent = await conversation.Hub.InvokeSendAsync(bId, content);
            Assert.Equal("result", sent.Event());
            return workers.IndexOf(Worker(sent["message"]!.AsObject()));
        }
        var held = await HoldingReplicaAsync("which replica holds me?");
        Assert.InRange(held, 0, replicas.Count - 1);
        var other = replicas.Count - 1 - held;

        using var stopSending = new CancellationTokenSource();
        var acknowledged = new List<string>();
        var sender = SendContinuouslyAsync(b, aId, acknowledged, stopSending.Token);
        int Acknowledged()
        {
            lock (acknowledged)
            {
                return acknowledged.Count;
            }
        }

        await conversation.WaitUntilAsync(m => m.Count(FromSender) >= 5, "5 messages before the stop");
        var clock = Stopwatch.StartNew();
        var ackedBeforeStop = Acknowledged();
        var stopping = fixture.App.RunCommandAsync(replicas[held], KnownResourceCommands.StopCommand);

        // The stopping replica closes the connection when its drain begins, and lets the client reconnect.
        await conversation.Hub.WaitUntilAsync(h => h.Reconnections > 0 || h.State == HubConnectionState.Disconnected, s_wait, "closed by the stopping replica");
        var closedAfter = clock.Elapsed;
        Assert.True(conversation.Hub.Reconnections > 0, "The stopping replica closed the connection without letting the client reconnect.");
        // While it drains it is unready (the edge takes it out) and refuses new hub connections (a reconnect tries elsewhere).
        using (var stoppingReplica = new HttpClient { BaseAddress = fixture.ChatReplica(held) })
        {
            using var health = await stoppingReplica.GetAsync("/health");
            using var negotiate = await stoppingReplica.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/hubs/chat/negotiate?negotiateVersion=1")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", a) },
            });
            Assert.True(clock.Elapsed < ChatReplicaLossFixture.DrainDelay, $"checked the draining replica only {clock.Elapsed.TotalSeconds:0.0} s after the stop");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, negotiate.StatusCode);
            Assert.Equal("application/problem+json", negotiate.Content.Headers.ContentType?.MediaType);
        }

        await conversation.Hub.WaitUntilAsync(h => h.State == HubConnectionState.Connected && h.Reconnected > 0, s_wait, "reconnected");
        var reconnectedAfter = clock.Elapsed;
        var ackedWhileAway = Acknowledged() - ackedBeforeStop;
        Assert.Equal(other, await HoldingReplicaAsync("and now?"));
        await stopping;
        var stoppedAfter = clock.Elapsed;

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await fixture.App.RunCommandAsync(replicas[held], KnownResourceCommands.StartCommand, timeout.Token);
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(replicas[held], timeout.Token);
        var startedAfter = clock.Elapsed;
        var beforeRestart = conversation.Messages.Count(FromSender);
        await conversation.WaitUntilAsync(m => m.Count(FromSender) >= beforeRestart + 5, "5 messages after the restart");
        await stopSending.CancelAsync();
        var failedSends = await sender;

        // Every acknowledged message once, in the order sent; the conversation is exactly what Chat stored.
        await conversation.WaitUntilAsync(m => m.Count(FromSender) >= acknowledged.Count, "every acknowledged message");
        var shown = conversation.Messages;
        var stored = await fixture.Web.ChatHistoryAsync(a, bId);
        Assert.Equal(stored.Select(m => m.Id("id")), shown.Select(m => m.Id("id")));
        Assert.Equal(shown.Count, shown.Select(m => m.Id("id")).Distinct().Count());
        var ackedSet = acknowledged.ToHashSet();
        Assert.Equal(acknowledged, shown.Where(FromSender).Select(Content).Where(ackedSet.Contains));
        Assert.Empty(conversation.Failures);
        // The connection stays where it went: the restarted replica takes new connections, not this one.
        Assert.Equal(other, await HoldingReplicaAsync("still there?"));

        output.WriteLine($"Replica {replicas[held]} held the connection; stopped with a {ChatReplicaLossFixture.DrainDelay.TotalSeconds:0} s drain.");
        output.WriteLine($"Connection closed {closedAfter.TotalSeconds:0.00} s after the stop command, reconnected to {replicas[other]} after {reconnectedAfter.TotalSeconds:0.00} s " +
            $"({conversation.Hub.ReconnectPolicy.FailedAttempts} failed attempts); replica gone after {stoppedAfter.TotalSeconds:0.00} s, healthy again after {startedAfter.TotalSeconds:0.00} s.");
        output.WriteLine($"{acknowledged.Count} messages acknowledged ({ackedWhileAway} while the client was away), {failedSends.Count} refused" +
            $"{(failedSends.Count > 0 ? ": " + string.Join("; ", failedSends.Distinct().Take(5)) : "")}; " +
            $"the client holds {shown.Count}, each once, {conversation.CaughtUp} of them from history.");
    }

    /// <summary>The other party's messages through the edge, one after another until stopped; returns the refusals.</summary>
    async Task<List<string>> SendContinuouslyAsync(string token, long to, List<string> acknowledged, CancellationToken stop)
    {
        var failures = new List<string>();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var content = $"{Prefix}{n}";
            try
            {
                var reply = await fixture.Web.SendMessageAsync(token, to, content);
                if (reply.StatusCode() == 0)
                {
                    lock (acknowledged)
                    {
                        acknowledged.Add(content);
                    }
                }
                else
                {
                    failures.Add(reply.StatusMsg());
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
            {
                failures.Add(ex.Message);
            }
            await Task.Delay(s_pace, CancellationToken.None);
        }
        return failures;
    }

    static bool FromSender(JsonObject message) => Content(message).StartsWith(Prefix, StringComparison.Ordinal);

    static string Content(JsonObject message) => message["content"]!.GetValue<string>();

    /// <summary>The worker bits of a snowflake id (Douyin.ServiceDefaults/Ids: 41 bits of time, 10 of worker, 12 of sequence).</summary>
    static long Worker(JsonObject message) => (message.Id("id") >> 12) & 1023;
}
