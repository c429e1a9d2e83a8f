using System.Net;
using System.Net.Http.Json;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.Api.Messages;

namespace Douyin.IntegrationTests.Chat;

/// <summary>Chat's side of the friend list: the internal batched endpoint Douyin.Social calls.</summary>
[Collection(DouyinAppCollection.Name)]
public sealed class LatestMessagesTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;

    [Fact]
    public async Task OneCallGivesTheLatestMessagePerPeerWhicheverSentItAndNothingForSilentPeers()
    {
        var (meId, me) = await _web.RegisterAsync();
        var (sentToId, sentTo) = await _web.RegisterAsync();
        var (receivedFromId, receivedFrom) = await _web.RegisterAsync();
        var (silentId, _) = await _web.RegisterAsync();
        await _web.SendMessageAsync(sentTo, meId, "older");
        await _web.SendMessageAsync(me, sentToId, "mine is newest");
        await _web.SendMessageAsync(me, receivedFromId, "older too");
        await _web.SendMessageAsync(receivedFrom, meId, "theirs is newest");

        using var chat = await fixture.CreateInternalClientAsync("chat");
        var latest = await new LatestMessagesClient(chat).GetLatestAsync(meId, [sentToId, receivedFromId, silentId, meId], CancellationToken.None);

        Assert.Equal(new[] { sentToId, receivedFromId }.Order(), latest.Keys.Order());
        Assert.Equal(("mine is newest", meId), (latest[sentToId].Content, latest[sentToId].FromUserId));
        Assert.Equal(("theirs is newest", receivedFromId), (latest[receivedFromId].Content, latest[receivedFromId].FromUserId));
        var stored = await _web.ChatAsync(me, receivedFromId);
        Assert.Equal(stored[^1].Id("create_time"), latest[receivedFromId].CreateTime);
    }

    [Fact]
    public async Task TooManyPeersOrAMalformedBodyIsABadRequestWithProblemDetails()
    {
        using var chat = await fixture.CreateInternalClientAsync("chat");

        using var tooMany = await chat.PostAsJsonAsync(LatestMessagesClient.Path, new { user_id = 1, peer_ids = Enumerable.Range(1, LatestMessagesClient.MaxBatch + 1) });
        using var noUser = await chat.PostAsJsonAsync(LatestMessagesClient.Path, new { peer_ids = new[] { 1 } });
        using var notJson = await chat.PostAsync(LatestMessagesClient.Path, new StringContent("{", System.Text.Encoding.UTF8, "application/json"));

        foreach (var response in new[] { tooMany, noUser, notJson })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.Equal("application/problem+json", tooMany.Content.Headers.ContentType?.MediaType);
        Assert.Contains("peer_ids", await tooMany.Content.ReadAsStringAsync());
    }
}
