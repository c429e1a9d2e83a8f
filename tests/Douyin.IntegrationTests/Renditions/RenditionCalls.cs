using System.Net;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;
using Douyin.IntegrationTests.Videos;

namespace Douyin.IntegrationTests.Renditions;

/// <summary>The public calls the rendition tests make: publish a file, read its play_url, wait for it to name the rendition.</summary>
public static class RenditionCalls
{
    public const string RenditionPrefix = "/media/renditions/";
    public const string OriginalPrefix = "/media/videos/";

    /// <summary>Publishes <paramref name="file"/> as a new user, the only video of that user.</summary>
    public static async Task<(long VideoId, long UserId)> PublishAsNewUserAsync(this HttpClient web, byte[] file)
    {
        var (userId, token) = await web.RegisterAsync();
        var reply = await web.PublishAsync(token, "rendition", file);
        Assert.True(reply.StatusCode() == 0, reply.StatusMsg());
        var video = Assert.Single(await web.PublishListAsync(userId))!;
        return (video["id"]!.GetValue<long>(), userId);
    }

    public static async Task<Uri> PlayUrlAsync(this HttpClient web, long userId) =>
        new(Assert.Single(await web.PublishListAsync(userId))!["play_url"]!.GetValue<string>());

    /// <summary>play_url once it names the rendition: within a minute of publishing on an idle machine (two on this shared one).</summary>
    public static Task<Uri> WaitForRenditionAsync(this HttpClient web, long userId) =>
        Eventually.HoldsAsync(() => web.PlayUrlAsync(userId), url => url.AbsolutePath.StartsWith(RenditionPrefix, StringComparison.Ordinal), "play_url to switch to the rendition", 120);

    public static async Task<byte[]> RenditionBytesAsync(this HttpClient web, Uri playUrl)
    {
        using var response = await web.GetAsync(playUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }
}
