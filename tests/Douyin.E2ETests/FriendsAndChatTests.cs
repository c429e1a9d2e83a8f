using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Douyin.E2ETests;

[Collection(E2ECollection.Name)]
public sealed class FriendsAndChatTests(DouyinAppFixture app, BrowserFixture browser, ITestOutputHelper output)
{
    [Fact]
    public async Task TwoPeopleFollowEachOtherBecomeFriendsAndChatLive()
    {
        await using var aliceContext = await browser.NewPhoneAsync(app.Web.BaseAddress!);
        await using var bobContext = await browser.NewPhoneAsync(app.Web.BaseAddress!);
        var alice = await aliceContext.NewPageAsync();
        var bob = await bobContext.NewPageAsync();
        var aliceSockets = new System.Collections.Concurrent.ConcurrentQueue<string>();
        alice.WebSocket += (_, socket) => aliceSockets.Enqueue(socket.Url);
        var aliceName = DouyinClient.UniqueName("alice");
        var bobName = DouyinClient.UniqueName("bob");
        var aliceId = await alice.SignUpAsync(aliceName);
        await bob.SignUpAsync(bobName);

        // Bob follows Alice from her profile: the button flips and her follower count goes up.
        await bob.GotoAsync($"/users/{aliceId}");
        await Expect(bob.Locator(".card .name")).ToHaveTextAsync(aliceName);
        await bob.GetByRole(AriaRole.Button, new() { Name = "Follow", Exact = true }).ClickAsync();
        await Expect(bob.GetByRole(AriaRole.Button, new() { Name = "Following", Exact = true })).ToBeVisibleAsync();
        await Expect(bob.Locator(".stat", new() { HasText = "Followers" }).Locator("strong")).ToHaveTextAsync("1");

        // Alice finds Bob among her followers and follows back: now they are friends.
        await alice.GotoAsync($"/users/{aliceId}");
        await alice.GetByRole(AriaRole.Link, new() { Name = "Followers" }).ClickAsync();
        var bobRow = alice.Locator(".user-list li", new() { HasText = bobName });
        await bobRow.GetByRole(AriaRole.Button, new() { Name = "Follow", Exact = true }).ClickAsync();
        await Expect(bobRow.GetByRole(AriaRole.Button, new() { Name = "Following", Exact = true })).ToBeVisibleAsync();
        await alice.GotoAsync($"/users/{aliceId}");
        await alice.ScreenshotAsync("profile");

        // Both open the conversation from their friend lists (Inbox).
        await alice.GetByRole(AriaRole.Link, new() { Name = "Inbox", Exact = true }).ClickAsync();
        await alice.GetByRole(AriaRole.Link, new() { Name = bobName }).ClickAsync();
        await bob.GetByRole(AriaRole.Link, new() { Name = "Inbox", Exact = true }).ClickAsync();
        await bob.GetByRole(AriaRole.Link, new() { Name = aliceName }).ClickAsync();
        await Expect(alice.Locator(".hub-state")).ToHaveAttributeAsync("data-state", "live");
        await Expect(bob.Locator(".hub-state")).ToHaveAttributeAsync("data-state", "live");
        // Over a WebSocket to the page's own origin: the content security policy lets it through, so no fallback transport.
        Assert.Contains(aliceSockets, url => new Uri(url).AbsolutePath == "/hubs/chat");

        // Messages appear live on the other phone, which neither reloads nor polls.
        await alice.GetByPlaceholder("Message…").FillAsync("Hi Bob, saw your follow!");
        await alice.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(bob.Locator(".messages li.theirs")).ToHaveTextAsync(["Hi Bob, saw your follow!"]);
        await bob.GetByPlaceholder("Message…").FillAsync("Hey Alice, welcome!");
        await bob.GetByPlaceholder("Message…").PressAsync("Enter");
        await Expect(alice.Locator(".messages li")).ToHaveTextAsync(["Hi Bob, saw your follow!", "Hey Alice, welcome!"]);
        await Expect(alice.Locator(".messages li.theirs")).ToHaveTextAsync(["Hey Alice, welcome!"]);
        await Expect(bob.Locator(".messages li.mine")).ToHaveTextAsync(["Hey Alice, welcome!"]);
        await alice.ScreenshotAsync("chat");

        // The friend list previews the latest message.
        await bob.GetByRole(AriaRole.Link, new() { Name = "Back" }).ClickAsync();
        await Expect(bob.Locator(".user-list li", new() { HasText = aliceName }).Locator(".preview")).ToHaveTextAsync("You: Hey Alice, welcome!");
        await bob.ScreenshotAsync("friends");
        Assert.Empty(browser.PolicyViolations);
    }

    /// <summary>
    /// Issue 18, item 3, in the browser: Chat's replicas are stopped and started one after the other (a rolling deploy),
    /// so whichever holds the chat screen's hub connection stops, while the friend sends through the edge all along.
    /// The screen reconnects and ends showing exactly what Chat stored, each message once, in order.
    /// </summary>
    [Fact]
    public async Task AChatScreenWhoseReplicaStopsReconnectsAndShowsEveryMessageOnce()
    {
        var (bobId, bob) = await app.Web.RegisterAsync();
        await using var context = await browser.NewPhoneAsync(app.Web.BaseAddress!);
        var alice = await context.NewPageAsync();
        var hubSockets = 0;
        alice.WebSocket += (_, socket) =>
        {
            if (new Uri(socket.Url).AbsolutePath == "/hubs/chat")
            {
                Interlocked.Increment(ref hubSockets);
            }
        };
        var aliceId = long.Parse(await alice.SignUpAsync(DouyinClient.UniqueName("alice")), System.Globalization.CultureInfo.InvariantCulture);
        await alice.GotoAsync($"/chat/{bobId}");
        await Expect(alice.Locator(".hub-state")).ToHaveAttributeAsync("data-state", "live");

        using var stopSending = new CancellationTokenSource();
        var acknowledged = new List<string>();
        var sender = Task.Run(async () =>
        {
            var refused = 0;
            for (var n = 0; !stopSending.IsCancellationRequested; n++)
            {
                var content = $"m {n}";
                try
                {
                    var reply = await app.Web.ApiPostAsync("/douyin/message/action/", ("token", bob), ("to_user_id", aliceId), ("action_type", 1), ("content", content));
                    if (reply.StatusCode() == 0)
                    {
                        lock (acknowledged)
                        {
                            acknowledged.Add(content);
                        }
                    }
                    else
                    {
                        refused++;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                {
                    refused++;
                }
                await Task.Delay(200, CancellationToken.None); // a chatty friend's pace (load shaping, not a wait for anything)
            }
            return refused;
        });
        string Newest()
        {
            lock (acknowledged)
            {
                return acknowledged.Count == 0 ? "" : acknowledged[^1];
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        ILocator Shown(string content) => alice.Locator(".messages li", new() { HasTextRegex = new Regex($"^{Regex.Escape(content)}$") });
        await Expect(Shown("m 2")).ToHaveCountAsync(1);
        foreach (var replica in app.App.ReplicaNames("chat"))
        {
            await app.App.RunCommandAsync(replica, KnownResourceCommands.StopCommand, timeout.Token);
            await app.App.RunCommandAsync(replica, KnownResourceCommands.StartCommand, timeout.Token);
            await app.App.ResourceNotifications.WaitForResourceHealthyAsync(replica, timeout.Token);
            // The screen is live again, on whichever replica: what the friend sends now appears.
            await Expect(Shown(Newest())).ToHaveCountAsync(1);
        }
        await stopSending.CancelAsync();
        var refused = await sender;

        var stored = new List<JsonObject>();
        for (var after = "0"; ; after = stored[^1]["create_time"]!.ToString())
        {
            var page = (await app.Web.ApiGetAsync("/douyin/message/chat/", ("token", bob), ("to_user_id", aliceId), ("pre_msg_time", after)))["message_list"]!.AsArray();
            if (page.Count == 0)
            {
                break;
            }
            stored.AddRange(page.Select(m => m!.AsObject()));
        }
        var shown = alice.Locator(".messages li");
        await Expect(shown).ToHaveCountAsync(stored.Count);
        Assert.Equal(stored.Select(m => m["id"]!.ToString()), await shown.EvaluateAllAsync<string[]>("items => items.map(li => li.dataset.messageId)"));
        var ackedSet = acknowledged.ToHashSet();
        Assert.Equal(acknowledged, (await shown.AllTextContentsAsync()).Where(ackedSet.Contains));
        await Expect(alice.Locator(".hub-state")).ToHaveAttributeAsync("data-state", "live");
        Assert.True(hubSockets >= 2, $"the screen opened {hubSockets} hub connection(s): it never lost one");
        output.WriteLine($"{acknowledged.Count} messages acknowledged, {refused} refused, {stored.Count} stored and shown once each; {hubSockets} hub connections opened.");
    }
}
