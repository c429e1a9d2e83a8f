using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;

namespace Douyin.IntegrationTests.Videos;

/// <summary>What an upload may cost before and after it is authenticated, on an app with few upload slots.</summary>
[Collection(TightLimitsCollection.Name)]
public sealed class UploadLimitsTests(TightLimitsFixture fixture) : IDisposable
{
    static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);
    readonly HttpClient _web = fixture.WebFrom("127.0.0.1");
    readonly HttpClient _otherAddress = fixture.WebFrom("[::1]");

    public void Dispose()
    {
        _web.Dispose();
        _otherAddress.Dispose();
    }

    [Theory]
    [InlineData("part")]
    [InlineData("query")]
    public async Task ABadTokenBeforeTheFileIsRefusedBeforeTheFileIsRead(string where)
    {
        // Straight to Feed: the edge relays an answer only once the whole request body has been forwarded (see docs).
        // 150 MB declared, 64 KB sent, then a trickle: only an answer that does not wait for the body arrives in time.
        var feed = fixture.App.GetEndpoint("feed");
        await using var upload = where == "part"
            ? await StalledUpload.StartAsync(feed, token: "not-a-token")
            : await StalledUpload.StartAsync(feed, token: null, query: "?token=not-a-token&title=t");

        var reply = await upload.ReadReplyAsync(s_patience);

        Assert.NotNull(reply);
        Assert.Equal(401, reply.StatusCode());
        Assert.Contains("token", reply.StatusMsg());
    }

    [Fact]
    public async Task OneAddressSpoolsOnlyAFewUploadsThatNoTokenVouchesFor()
    {
        var (_, token) = await _web.RegisterAsync();
        var clip = await TestMedia.ClipAsync();
        var stalled = new List<StalledUpload>();
        try
        {
            for (var i = 0; i < TightLimitsFixture.MaxUnauthenticatedUploadsPerAddress; i++)
            {
                stalled.Add(await StalledUpload.StartAsync(fixture.WebAddress("127.0.0.1"), token: null));
            }

            await HeldAsync(stalled);

            // The official client's order, file first, from the same address: refused while the others hold its slots.
            // (A file that would be refused at once if admitted, so that the probe itself holds a slot for no time.)
            var refused = await Eventually.HoldsAsync(() => _web.PublishAsync(null, "file first", TestMedia.Text(), fileFirst: true), r => r.StatusCode() == 429, "the address's anonymous slots to be taken");
            Assert.Contains("send the token before the file", refused.StatusMsg());
            // The token first, or another address, is not held up.
            Assert.Equal(0, (await _web.PublishAsync(token, "token first", clip)).StatusCode());
            Assert.Equal(0, (await _otherAddress.PublishAsync(token, "elsewhere", clip, fileFirst: true)).StatusCode());
        }
        finally
        {
            await DisposeAllAsync(stalled);
        }
        await Eventually.HoldsAsync(() => _web.PublishAsync(token, "slots free again", clip, fileFirst: true), r => r.StatusCode() == 0, "the slots to be given back");
    }

    [Fact]
    public async Task UploadsPastTheProcessCapAreRefusedWithTheEnvelope()
    {
        var (_, token) = await _web.RegisterAsync();
        var stalled = new List<StalledUpload>();
        try
        {
            for (var i = 0; i < TightLimitsFixture.MaxConcurrentUploads; i++)
            {
                stalled.Add(await StalledUpload.StartAsync(fixture.WebAddress("127.0.0.1"), token));
            }

            await HeldAsync(stalled);
            var refused = await Eventually.HoldsAsync(() => _web.PublishAsync(token, "one too many", TestMedia.Text()), r => r.StatusCode() == 503, "every upload slot to be taken");
            Assert.Contains("Too many uploads are in progress", refused.StatusMsg());
        }
        finally
        {
            await DisposeAllAsync(stalled);
        }
    }

    [Fact]
    public async Task SpooledFilesStayWithinTheDiskBudget()
    {
        var (_, token) = await _web.RegisterAsync();
        // Straight to Feed, so that nothing between holds back the bytes it is to have spooled.
        await using (var large = await StalledUpload.StartAsync(fixture.App.GetEndpoint("feed"), token, fileBytes: TightLimitsFixture.MaxSpoolBytes - 1024 * 1024))
        {
            await HeldAsync([large]);
            var refused = await Eventually.HoldsAsync(() => _web.PublishAsync(token, "no room", new byte[2 * 1024 * 1024]), r => r.StatusCode() == 503, "the spool to fill");
            Assert.Contains("no room for more uploads", refused.StatusMsg());
        }
        await Eventually.HoldsAsync(() => _web.PublishAsync(token, "room again", new byte[2 * 1024 * 1024]), r => r.StatusMsg().Contains("not a video", StringComparison.Ordinal), "the spool to be given back");
    }

    [Fact]
    public async Task MediaToolRunsPastTheCapAreRefusedWithTheEnvelopeNotQueued()
    {
        var (_, token) = await _web.RegisterAsync();
        var clip = await TestMedia.ClipAsync();

        // One tool run at a time in this app: uploads that arrive together need ffprobe and ffmpeg at the same moment.
        var replies = await Eventually.HoldsAsync(
            () => Task.WhenAll(Enumerable.Range(0, TightLimitsFixture.MaxConcurrentUploads).Select(i => _web.PublishAsync(token, $"together {i}", clip))),
            replies => replies.Any(r => r.StatusCode() == 503), "uploads to meet at the media tools");

        Assert.All(replies, r => Assert.True(r.StatusCode() == 0 || r.StatusMsg().Contains("being checked", StringComparison.Ordinal), r.StatusMsg()));
    }

    /// <summary>
    /// Gives the stalled uploads time to reach Feed and take their slots (nothing outside shows when they have), and
    /// checks none was answered: a probe that overtook one would have taken the slot and the stalled one been refused.
    /// </summary>
    static async Task HeldAsync(IEnumerable<StalledUpload> uploads)
    {
        await Task.Delay(TimeSpan.FromSeconds(1));
        foreach (var upload in uploads)
        {
            Assert.Null(await upload.ReadReplyAsync(TimeSpan.FromMilliseconds(100)));
        }
    }

    static async Task DisposeAllAsync(List<StalledUpload> uploads)
    {
        foreach (var upload in uploads)
        {
            await upload.DisposeAsync();
        }
    }
}
