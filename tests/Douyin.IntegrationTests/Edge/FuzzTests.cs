using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// Hostile input on every endpoint: wrong types, missing and repeated parameters, huge values, broken multipart,
/// invalid UTF-8 and wrong methods. Every answer must be the envelope over HTTP 200 with no stack trace, and the app
/// must stay healthy. CI runs a short deterministic pass; set DOUYIN_FUZZ_CASES for a longer one.
/// </summary>
[Collection(DouyinAppCollection.Name)]
public sealed class FuzzTests(DouyinAppFixture fixture)
{
    static readonly string[] s_endpoints =
    [
        "/douyin/feed/", "/douyin/user/register/", "/douyin/user/login/", "/douyin/user/", "/douyin/publish/action/",
        "/douyin/publish/list/", "/douyin/favorite/action/", "/douyin/favorite/list/", "/douyin/comment/action/",
        "/douyin/comment/list/", "/douyin/relation/action/", "/douyin/relation/follow/list/", "/douyin/relation/follower/list/",
        "/douyin/relation/friend/list/", "/douyin/message/chat/", "/douyin/message/action/",
    ];

    static readonly string[] s_parameters =
    [
        "token", "user_id", "video_id", "to_user_id", "action_type", "latest_time", "pre_msg_time", "comment_id",
        "comment_text", "content", "title", "username", "password",
    ];

    static readonly string[] s_values =
    [
        "", "0", "-1", "1", "2", "3", "abc", "1.5", "1e99", "99999999999999999999999999", "-9223372036854775808",
        "9223372036854775807", "%00", "%FF%FE%FD", "%ED%A0%80", "%C3%28", "null", "[]", "{}", "true", "%0A%0D", "%E2%80%AE",
        "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", new string('x', 5000), "eyJhbGciOiJub25lIn0.e30.",
    ];

    static readonly HttpMethod[] s_methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch];

    [Fact]
    public async Task MalformedRequestsToEveryEndpointGetTheEnvelopeAndTheAppStaysHealthy()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("DOUYIN_FUZZ_CASES"), out var n) ? n : 25;
        var random = new Random(20261121);
        var (_, validToken) = await fixture.Web.RegisterAsync();
        var problems = new List<string>();

        foreach (var endpoint in s_endpoints)
        {
            for (var i = 0; i < cases; i++)
            {
                using var request = BuildRequest(endpoint, random, validToken);
                var description = $"{request.Method} {request.RequestUri}";
                using var response = await fixture.Web.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (Check(response, body) is { } problem)
                {
                    problems.Add($"{description[..Math.Min(description.Length, 200)]}: {problem}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        using var health = await fixture.App.CreateHttpClient("web").GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var service in new[] { "social", "feed", "chat" })
        {
            using var serviceHealth = await fixture.App.CreateHttpClient(service).GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, serviceHealth.StatusCode);
        }
    }

    static HttpRequestMessage BuildRequest(string endpoint, Random random, string validToken)
    {
        var method = s_methods[random.Next(s_methods.Length)];
        var query = new StringBuilder();
        for (var p = random.Next(0, 6); p > 0; p--)
        {
            var name = s_parameters[random.Next(s_parameters.Length)];
            var value = name == "token" && random.Next(3) == 0 ? validToken : s_values[random.Next(s_values.Length)];
            // Values are written raw: some are deliberately invalid percent-encodings.
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(value.Replace(" ", "%20").Replace("'", "%27").Replace("<", "%3C").Replace(">", "%3E"));
        }
        var path = endpoint[..^(random.Next(2))] + query; // with and without the trailing slash
        var request = new HttpRequestMessage(method, path);
        if (method != HttpMethod.Get)
        {
            request.Content = random.Next(4) switch
            {
                0 => new StringContent("{not json", Encoding.UTF8, "application/json"),
                1 => new ByteArrayContent([0xFF, 0xFE, 0x00, 0x41]) { Headers = { ContentType = new("application/x-www-form-urlencoded") } },
                2 => BrokenMultipart(random),
                _ => new FormUrlEncodedContent([KeyValuePair.Create("user_id", "x"), KeyValuePair.Create("user_id", "2")]),
            };
        }
        return request;
    }

    static HttpContent BrokenMultipart(Random random)
    {
        var boundary = "fuzz" + random.Next();
        var body = random.Next(3) switch
        {
            0 => $"--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.mp4\"\r\n\r\nnot a video", // never closed
            1 => $"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n\r\n--{boundary}--\r\n",
            _ => "garbage without any boundary",
        };
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        return content;
    }

    static string? Check(HttpResponseMessage response, string body)
    {
        if ((int)response.StatusCode >= 500)
        {
            return $"HTTP {(int)response.StatusCode}";
        }
        if (body.Contains("   at ", StringComparison.Ordinal) || body.Contains("Exception", StringComparison.Ordinal))
        {
            return "a stack trace or exception name in the body";
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"HTTP {(int)response.StatusCode} instead of 200";
        }
        try
        {
            var reply = JsonNode.Parse(body)?.AsObject();
            if (reply?["status_code"]?.GetValueKind() != JsonValueKind.Number || string.IsNullOrEmpty(reply["status_msg"]?.GetValue<string>()))
            {
                return "no envelope";
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return "not JSON";
        }
        return null;
    }
}
