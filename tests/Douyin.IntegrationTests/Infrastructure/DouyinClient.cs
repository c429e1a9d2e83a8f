using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Douyin.IntegrationTests.Infrastructure;

/// <summary>Calls the public API the way the official client does: parameters in the query string, HTTP 200 always.</summary>
public static class DouyinClient
{
    public static async Task<JsonObject> ApiPostAsync(this HttpClient web, string path, params (string Name, object? Value)[] query)
    {
        using var response = await web.PostAsync(WithQuery(path, query), content: null);
        return await ReadEnvelopeAsync(response);
    }

    public static async Task<JsonObject> ApiGetAsync(this HttpClient web, string path, params (string Name, object? Value)[] query)
    {
        using var response = await web.GetAsync(WithQuery(path, query));
        return await ReadEnvelopeAsync(response);
    }

    /// <summary>The official tests' style: every parameter twice, in the query and in a url-encoded body.</summary>
    public static async Task<JsonObject> ApiPostFormAsync(this HttpClient web, string path, params (string Name, object? Value)[] fields)
    {
        using var body = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, Convert.ToString(f.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "")));
        using var response = await web.PostAsync(WithQuery(path, fields), body);
        return await ReadEnvelopeAsync(response);
    }

    public static async Task<(long UserId, string Token)> RegisterAsync(this HttpClient web, string? username = null, string password = "secret-pw")
    {
        var reply = await web.ApiPostAsync("/douyin/user/register/", ("username", username ?? UniqueName()), ("password", password));
        Assert.Equal(0, reply.StatusCode());
        return (reply["user_id"]!.GetValue<long>(), reply["token"]!.GetValue<string>());
    }

    /// <summary><paramref name="count"/> new users, one after another.</summary>
    public static async Task<List<(long UserId, string Token)>> RegisterManyAsync(this HttpClient web, int count)
    {
        var users = new List<(long UserId, string Token)>();
        for (var i = 0; i < count; i++)
        {
            users.Add(await web.RegisterAsync());
        }
        return users;
    }

    public static string UniqueName(string prefix = "u") => $"{prefix}{Guid.NewGuid():N}"[..20];

    public static int StatusCode(this JsonObject reply) => reply["status_code"]!.GetValue<int>();

    public static string StatusMsg(this JsonObject reply) => reply["status_msg"]!.GetValue<string>();

    public static async Task<JsonObject> ReadEnvelopeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var reply = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(reply);
        Assert.Equal(JsonValueKind.Number, reply["status_code"]!.GetValueKind());
        Assert.False(string.IsNullOrEmpty(reply["status_msg"]?.GetValue<string>()), "status_msg must be a non-empty string");
        return reply;
    }

    static string WithQuery(string path, (string Name, object? Value)[] query) =>
        query.Length == 0
            ? path
            : path + "?" + string.Join('&', query.Where(q => q.Value is not null)
                .Select(q => $"{q.Name}={Uri.EscapeDataString(Convert.ToString(q.Value, System.Globalization.CultureInfo.InvariantCulture)!)}"));
}
