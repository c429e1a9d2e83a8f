using System.Net;
using System.Net.Http.Headers;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Videos;

namespace Douyin.IntegrationTests.Media;

/// <summary>Douyin.Web serving play_url and cover_url from Blob storage, as video players request them.</summary>
[Collection(DouyinAppCollection.Name)]
public sealed class MediaTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;

    async Task<(Uri Play, Uri Cover, byte[] Clip)> PublishAsync()
    {
        var (userId, token) = await _web.RegisterAsync();
        var clip = await TestMedia.ClipAsync();
        Assert.Equal(0, (await _web.PublishAsync(token, "media", clip)).StatusCode());
        var video = (await _web.PublishListAsync(userId))[0]!;
        return (new Uri(video["play_url"]!.GetValue<string>()), new Uri(video["cover_url"]!.GetValue<string>()), clip);
    }

    [Fact]
    public async Task AWholeVideoComesWithItsTypeLengthETagAndLongCaching()
    {
        var (play, _, clip) = await PublishAsync();

        using var response = await _web.GetAsync(play);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(clip.Length, response.Content.Headers.ContentLength);
        Assert.NotNull(response.Headers.ETag);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        Assert.True(response.Headers.CacheControl?.MaxAge >= TimeSpan.FromDays(30));
        Assert.True(response.Headers.CacheControl?.Public);
    }

    [Theory]
    [InlineData(0L, 99L)]
    [InlineData(1000L, null)]
    [InlineData(null, 500L)]
    public async Task ARangeAnswers206WithThoseBytes(long? from, long? to)
    {
        var (play, _, clip) = await PublishAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, play);
        request.Headers.Range = new RangeHeaderValue(from, to);

        using var response = await _web.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        var (start, end) = (from, to) switch
        {
            (null, { } suffix) => (clip.Length - suffix, clip.Length - 1L),
            ({ } f, null) => (f, clip.Length - 1L),
            ({ } f, { } t) => (f, t),
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(clip[(int)start..(int)(end + 1)], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(new ContentRangeHeaderValue(start, end, clip.Length), response.Content.Headers.ContentRange);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ARangeBeyondTheEndAnswers416WithTheLength()
    {
        var (play, _, clip) = await PublishAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, play);
        request.Headers.Range = new RangeHeaderValue(clip.Length + 10, null);

        using var response = await _web.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{clip.Length}", response.Content.Headers.ContentRange?.ToString());
    }

    /// <summary>Any Range header, however extreme or malformed, is answered 206, 416 or the whole media (200), never an error.</summary>
    [Fact]
    public async Task AnyRangeHeaderAnswers206Or416Or200()
    {
        var (play, _, clip) = await PublishAsync();
        string[] ranges =
        [
            "bytes=0-9223372036854775807", "bytes=1-9223372036854775807", "bytes=0-9223372036854775806", "bytes=9223372036854775807-",
            "bytes=9223372036854775806-9223372036854775807", "bytes=0-99999999999999999999", "bytes=-9223372036854775807",
            "bytes=-9223372036854775808", "bytes=-99999999999999999999", "bytes=-0", "bytes=-1", "bytes=0-0", $"bytes={clip.Length}-",
            $"bytes={clip.Length - 1}-{clip.Length * 10}", "bytes=5-2", "bytes=-5-10", "bytes=--5", "bytes=-1-", "bytes=0-1,5-9",
            "bytes=0-,0-,0-", "bytes=0-1,-1", "bytes=", "bytes=-", "bytes=abc", "bytes=1.5-2", "bytes=0x10-", "items=0-5", "bytes 0-5",
            "garbage", ",,,", "bytes=0-5, garbage",
        ];
        var problems = new List<string>();
        foreach (var range in ranges)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, play);
            request.Headers.TryAddWithoutValidation("Range", range);
            using var response = await _web.SendAsync(request);
            if ((int)response.StatusCode is not (200 or 206 or 416))
            {
                problems.Add($"{range}: HTTP {(int)response.StatusCode}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("bytes=0-", 206)] // a player's first request
    [InlineData("bytes=0-9223372036854775807", 206)]
    [InlineData("bytes=-9223372036854775807", 206)]
    [InlineData("bytes=-0", 416)]
    [InlineData("bytes=9223372036854775807-", 416)]
    public async Task TheExtremesAnswerTheWholeMediaOrNotSatisfiable(string range, int status)
    {
        var (play, _, clip) = await PublishAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, play);
        request.Headers.TryAddWithoutValidation("Range", range);

        using var response = await _web.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        if (status == 206)
        {
            Assert.Equal(clip, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(new ContentRangeHeaderValue(0, clip.Length - 1, clip.Length), response.Content.Headers.ContentRange);
        }
        else
        {
            Assert.Equal($"bytes */{clip.Length}", response.Content.Headers.ContentRange?.ToString());
        }
    }

    [Fact]
    public async Task AMatchingETagAnswers304()
    {
        var (_, cover, _) = await PublishAsync();
        using var first = await _web.GetAsync(cover);
        Assert.Equal("image/jpeg", first.Content.Headers.ContentType?.MediaType);

        using var request = new HttpRequestMessage(HttpMethod.Get, cover);
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var response = await _web.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(first.Headers.ETag, response.Headers.ETag);
    }

    [Fact]
    public async Task HeadAnswersWhatGetWouldWithoutTheBody()
    {
        var (play, _, clip) = await PublishAsync();
        using var get = await _web.GetAsync(play);

        using var head = await _web.SendAsync(new HttpRequestMessage(HttpMethod.Head, play));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(clip.Length, head.Content.Headers.ContentLength);
        Assert.Equal("video/mp4", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ASuffixRangeWithAStaleETagAnswers206WithTheLastBytes()
    {
        var (play, _, clip) = await PublishAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, play);
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"stale\""));
        request.Headers.Range = new RangeHeaderValue(null, 100);

        using var response = await _web.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(clip[^100..], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(new ContentRangeHeaderValue(clip.Length - 100, clip.Length - 1, clip.Length), response.Content.Headers.ContentRange);
    }

    [Fact]
    public async Task AMissingBlobAnswers404ProblemDetails()
    {
        using var response = await _web.GetAsync("/media/videos/does-not-exist.mp4");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The edge refuses them as non-canonical paths (Edge/PathSpellingTests) before the media endpoint's own check.</summary>
    [Theory]
    [InlineData("/media/videos%2F..%2F..%2Fother%2Fsecret")]
    [InlineData("/media/videos/%2e%2e%5csecret")]
    [InlineData("/media/videos/a%20b.mp4")]
    public async Task PathsThatCouldLeaveTheContainerAreRefused(string path)
    {
        using var response = await _web.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/media/videos/a$b.mp4")]
    [InlineData("/media/videos/a:b.mp4")]
    public async Task CanonicalPathsThatAreNoBlobNameAreRefusedByTheMediaEndpoint(string path)
    {
        using var response = await _web.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
