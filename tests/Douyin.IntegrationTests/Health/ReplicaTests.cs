using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Douyin.IntegrationTests.Chat;
using Douyin.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Douyin.IntegrationTests.Health;

[Collection(DouyinAppCollection.Name)]
public sealed class ReplicaTests(DouyinAppFixture fixture)
{
    [Theory]
    [InlineData("feed")]
    [InlineData("social")]
    [InlineData("chat")]
    public async Task EveryReplicaOfTheServiceAnswers(string service)
    {
        var expected = service == "chat"
            ? DouyinAppFixture.ChatReplicas
            : int.TryParse(Environment.GetEnvironmentVariable("DOUYIN_TEST_REPLICAS"), out var replicas) ? replicas : 1;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // Each replica process listens on a port of its own, which the edge reaches directly.
        var urls = (await fixture.App.ReplicaAddressesAsync(service, timeout.Token)).Select(u => new Uri(u, "/health")).ToList();
        Assert.Equal(expected, urls.Count);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url)).StatusCode);
        }
    }

    /// <summary>
    /// What the dashboard's Stop, Start and Restart buttons do on one replica (each replica is a resource of its own, so
    /// the dashboard lists chat and chat-1): the buttons it shows are the snapshot's commands, and a click runs the command
    /// through ResourceCommandService, as here. The other replica keeps serving and the edge sends the API there.
    /// </summary>
    [Fact]
    public async Task TheDashboardsStopStartAndRestartActOnOneReplicaWhileTheOtherServes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = timeout.Token;
        var app = fixture.App;
        var web = fixture.Web;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var webLogs = app.TailLogs("web");
        var (_, a) = await web.RegisterAsync();
        var (bId, _) = await web.RegisterAsync();
        var secondHealth = new Uri(fixture.ChatReplica(1), "/health");
        Assert.Equal(["chat", "chat-1"], app.ReplicaNames("chat"));

        var running = await app.ResourceNotifications.WaitForResourceHealthyAsync("chat-1", ct);
        Assert.Equal(
            [(KnownResourceCommands.StartCommand, ResourceCommandState.Hidden), (KnownResourceCommands.StopCommand, ResourceCommandState.Enabled), (KnownResourceCommands.RestartCommand, ResourceCommandState.Enabled)],
            Buttons(running.Snapshot));
        var firstPid = Resources.Pid(running.Snapshot);

        await app.RunCommandAsync("chat-1", KnownResourceCommands.StopCommand, ct);
        var stopped = await app.ResourceNotifications.WaitForResourceAsync("chat-1", e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), ct);
        Assert.Contains((KnownResourceCommands.StartCommand, ResourceCommandState.Enabled), Buttons(stopped.Snapshot));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(secondHealth, ct));
        Assert.True(app.ResourceNotifications.TryGetCurrentState("chat", out var first));
        Assert.Equal((KnownResourceStates.Running, HealthStatus.Healthy), (first!.Snapshot.State?.Text, first.Snapshot.HealthStatus));
        // Enough sends that round robin would have given the stopped replica some: the edge fails them over or skips it.
        for (var i = 0; i < 6; i++)
        {
            var sent = await web.SendMessageAsync(a, bId, $"while chat-1 is stopped {i}");
            Assert.True(sent.StatusCode() == 0, $"send {i}: {sent.StatusMsg()}\n{webLogs.Last()}");
        }

        await app.RunCommandAsync("chat-1", KnownResourceCommands.StartCommand, ct);
        var started = await app.ResourceNotifications.WaitForResourceHealthyAsync("chat-1", ct);
        Assert.NotEqual(firstPid, Resources.Pid(started.Snapshot));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(secondHealth, ct)).StatusCode);

        var restarted = await app.RestartAsync("chat-1", ct); // a new process, healthy
        Assert.Equal(KnownResourceStates.Running, restarted.Snapshot.State?.Text);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(secondHealth, ct)).StatusCode);
        Assert.Equal(6, (await web.ChatAsync(a, bId)).Count); // the six sent while it was stopped, each once
    }

    static readonly string[] s_lifecycle = [KnownResourceCommands.StartCommand, KnownResourceCommands.StopCommand, KnownResourceCommands.RestartCommand];

    static List<(string Name, ResourceCommandState State)> Buttons(CustomResourceSnapshot snapshot) =>
        [.. snapshot.Commands.Where(c => s_lifecycle.Contains(c.Name)).OrderBy(c => Array.IndexOf(s_lifecycle, c.Name)).Select(c => (c.Name, c.State))];
}
