namespace Douyin.E2ETests;

[Collection(E2ECollection.Name)]
public sealed class FriendsAndChatTests(DouyinAppFixture app, BrowserFixture browser)
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
}
