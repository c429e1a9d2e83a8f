using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Douyin.Api.Media;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;
using Npgsql;

namespace Douyin.IntegrationTests.Videos;

/// <summary>Publishing as the client does (multipart), and direct looks at what Feed stored: rows, blobs and the cache.</summary>
public static class FeedTestClient
{
    public static async Task<JsonObject> PublishAsync(
        this HttpClient web, string? token, string? title, byte[] file, string fileName = "clip.mp4",
        bool fileFirst = false, bool credentialsInQuery = false)
    {
        using var form = new MultipartFormDataContent();
        var data = new ByteArrayContent(file);
        data.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        if (fileFirst)
        {
            form.Add(data, "data", fileName);
        }
        if (!credentialsInQuery)
        {
            if (token is not null)
            {
                form.Add(new StringContent(token), "token");
            }
            if (title is not null)
            {
                form.Add(new StringContent(title), "title");
            }
        }
        if (!fileFirst)
        {
            form.Add(data, "data", fileName);
        }

        var path = credentialsInQuery
            ? $"/douyin/publish/action/?token={Uri.EscapeDataString(token ?? "")}&title={Uri.EscapeDataString(title ?? "")}"
            : "/douyin/publish/action/";
        using var response = await web.PostAsync(path, form);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var reply = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(reply);
        Assert.False(string.IsNullOrEmpty(reply.StatusMsg()));
        return reply;
    }

    public static async Task<JsonArray> PublishListAsync(this HttpClient web, long userId, string? token = null)
    {
        var reply = await web.ApiGetAsync("/douyin/publish/list/", ("user_id", userId), ("token", token));
        Assert.Equal(0, reply.StatusCode());
        return reply["video_list"]!.AsArray();
    }

    public static async Task<NpgsqlConnection> OpenFeedDbAsync(this DouyinAppFixture fixture)
    {
        var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync("feeddb"));
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<long> CountVideosAsync(this DouyinAppFixture fixture, long authorId)
    {
        await using var db = await fixture.OpenFeedDbAsync();
        await using var command = new NpgsqlCommand("select count(*) from videos where author_id = $1", db) { Parameters = { new() { Value = authorId } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every blob of the media container (none when the container does not exist yet).</summary>
    public static async Task<List<string>> ListMediaBlobsAsync(this DouyinAppFixture fixture)
    {
        var container = new BlobServiceClient((await fixture.App.GetConnectionStringAsync("blobs"))!).GetBlobContainerClient(MediaPaths.ContainerName);
        if (!(await container.ExistsAsync()).Value)
        {
            return [];
        }
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }
        return names;
    }

    public static async Task FlushRedisAsync(this DouyinAppFixture fixture)
    {
        await using var redis = await fixture.ConnectToRedisAsync();
        await redis.GetServers().Single().FlushAllDatabasesAsync();
    }
}
