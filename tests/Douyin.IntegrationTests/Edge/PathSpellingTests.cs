using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// The edge routes one canonical spelling of each path. Every other spelling of a dot segment, a separator or a
/// percent sign, under every public prefix, is refused by the edge itself: the envelope with status 400 under
/// /douyin, problem details 404 elsewhere. None may reach an internal endpoint (each is sent with a body that
/// endpoint would answer) or another route. Targets go over a bare socket, exactly as written here.
/// </summary>
[Collection(DouyinAppCollection.Name)]
public sealed class PathSpellingTests(DouyinAppFixture fixture)
{
    public static readonly string[] PublicPrefixes =
        ["/douyin/user", "/douyin/relation", "/douyin/feed", "/douyin/publish", "/douyin/favorite", "/douyin/comment", "/douyin/message", "/hubs/chat", "/media"];

    /// <summary>Internal endpoints (POST) and a body each would answer with 200.</summary>
    static readonly (string Path, string Body)[] s_internalTargets =
    [
        ("internal/users/cards", """{"user_ids":[1]}"""),
        ("internal/messages/latest", """{"user_id":1,"peer_ids":[2]}"""),
    ];

    /// <summary>
    /// '.' written plainly, percent-encoded once, twice and three times in both cases, as overlong UTF-8 (2 and 3 bytes,
    /// once and twice encoded) and as Unicode look-alikes (fullwidth full stop, one dot leader, small full stop).
    /// </summary>
    static readonly string[] s_dots =
        [".", "%2E", "%2e", "%252E", "%252e", "%25252E", "%25%32%45", "%C0%AE", "%25C0%25AE", "%E0%80%AE", "%EF%BC%8E", "%E2%80%A4", "%EF%B9%92"];

    /// <summary>'/' and '\' the same ways, and the fullwidth solidus.</summary>
    static readonly string[] s_separators =
        ["/", "%2F", "%2f", "%252F", "%25252F", "\\", "%5C", "%5c", "%255C", "%25255C", "%C0%AF", "%EF%BC%8F"];

    /// <summary>Paths below a prefix that leave it, or are not a plain spelling of any path: each then names an internal endpoint.</summary>
    public static IEnumerable<string> Escapes(string internalPath)
    {
        foreach (var dot in s_dots)
        {
            foreach (var separator in s_separators)
            {
                var up = dot + dot + separator;
                yield return "/" + up + up + internalPath;
            }
            yield return "/" + dot + "/" + dot + dot + "/" + dot + dot + "/" + internalPath; // a "." segment first
        }
        string[] others =
        [
            // ';' path parameters, which some servers and proxies strip before resolving dot segments
            "/..;/..;/", "/%2E%2E;/%2E%2E;/", "/%252E%252E;x/%252E%252E;x/", ";x/../../", "/..;x=1/..;x=1/",
            // empty segments
            "//../../", "/..//..//", "//%252E%252E//%252E%252E//", "/%2F%2E%2E%2F%2E%2E%2F",
            // control characters and a stray '%'
            "/%00/../../../", "/..%00/..%00/", "/%0A%252E%252E/%252E%252E/", "/%09/../../../", "/%7F/../../../", "/%/../../", "/%25/%252E%252E/%252E%252E/",
            // mixed case of the letters around it
            "/%252e%252E/%252E%252e/", "/%2e%2E/%2E%2e/",
        ];
        foreach (var other in others)
        {
            yield return other + internalPath;
        }
        yield return "/%252E%252E/%252E%252E/" + internalPath.ToUpperInvariant();
    }

    [Fact]
    public async Task NoSpellingUnderAnyPublicPrefixReachesAnInternalEndpoint()
    {
        var web = fixture.Web.BaseAddress!;
        var failures = new List<string>();
        var sent = 0;
        foreach (var prefix in PublicPrefixes)
        {
            // Both internal endpoints, and the first again under the prefix in capitals (routes ignore case).
            var targets = s_internalTargets.Select(t => (Prefix: prefix, t.Path, t.Body)).Append((prefix.ToUpperInvariant(), s_internalTargets[0].Path, s_internalTargets[0].Body));
            foreach (var (casedPrefix, internalPath, body) in targets)
            {
                foreach (var escape in Escapes(internalPath))
                {
                    var target = casedPrefix + escape;
                    sent++;
                    if (await RefusalProblemAsync(web, "POST", target, body) is { } problem)
                    {
                        failures.Add($"POST {target}: {problem}");
                    }
                }
            }
            // The absolute form of the request target (RFC 9112 §3.2.2) is resolved by Kestrel the same way.
            var absolute = $"http://{web.Authority}{prefix}/%252E%252E/%252E%252E/internal/users/cards";
            sent++;
            if (await RefusalProblemAsync(web, "POST", absolute, """{"user_ids":[1]}""") is { } absoluteProblem)
            {
                failures.Add($"POST {absolute}: {absoluteProblem}");
            }
        }

        Assert.True(sent >= 60 * PublicPrefixes.Length);
        var reachedInternal = failures.Count(f => f.Contains("HTTP 200 application/json: {\"users\"", StringComparison.Ordinal)
            || f.Contains("HTTP 200 application/json: {\"messages\"", StringComparison.Ordinal));
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {sent} spellings were not refused by the edge, {reachedInternal} answered by an internal endpoint:\n{string.Join('\n', failures.Take(60))}");
    }

    [Theory]
    [InlineData("/douyin/user/%252E%252E/relation/follow/list/")]
    [InlineData("/douyin/message/%2E%2E/%2E%2E/douyin/user/login/")]
    [InlineData("/douyin/feed/..%252Fuser%252Flogin/")]
    [InlineData("/douyin/user/login%2F")]
    [InlineData("/douyin/user/login;/")]
    [InlineData("/douyin/user/login/%2E/")]
    [InlineData("/douyin/user//login/")]
    [InlineData("/douyin/user/login%00/")]
    [InlineData("/douyin/user/login%EF%BC%8F")]
    [InlineData("/douyin/user/%C3%A9/")]
    [InlineData("/douyin/user/a%20b/")]
    public async Task ASpellingOfAnotherRouteIsRefusedWithTheEnvelope(string target)
    {
        var reply = await RawHttp.SendAsync(fixture.Web.BaseAddress!, "POST", target + "?username=x&password=y");

        Assert.Null(Problem(target, reply));
    }

    [Theory]
    [InlineData("/media/videos/%252E%252E/%252E%252E/x")]
    [InlineData("/hubs/chat/%2E%2E/negotiate")]
    [InlineData("/app/%2E%2E/%2E%2E/etc/passwd")]
    [InlineData("/assets/..%5Cavatar.svg")]
    [InlineData("/users/1/%252E%252E")]
    [InlineData("/chat//1")]
    public async Task OutsideTheApiANonCanonicalPathIs404ProblemDetails(string target)
    {
        var reply = await RawHttp.SendAsync(fixture.Web.BaseAddress!, "GET", target);

        Assert.Null(Problem(target, reply));
    }

    [Theory]
    [InlineData("/douyin/feed/")]
    [InlineData("/douyin/feed")]
    [InlineData("/DOUYIN/FEED/")]
    [InlineData("/douyin/%66eed/")] // a percent-encoded letter decodes to the same canonical path
    public async Task CanonicalSpellingsAreAnsweredAsBefore(string target)
    {
        var reply = await RawHttp.SendAsync(fixture.Web.BaseAddress!, "GET", target);

        Assert.Equal(200, reply.Status);
        Assert.Equal(0, JsonNode.Parse(reply.Body)!.AsObject().StatusCode());
    }

    static async Task<string?> RefusalProblemAsync(Uri web, string method, string target, string body)
    {
        try
        {
            return Problem(target, await RawHttp.SendAsync(web, method, target, body));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or System.Net.Sockets.SocketException)
        {
            return $"no answer ({ex.Message})";
        }
    }

    /// <summary>Null when the answer is the edge's refusal for a non-canonical path, else what it was instead.</summary>
    static string? Problem(string target, RawHttp.Response reply)
    {
        var path = target.StartsWith("http://", StringComparison.Ordinal) ? new Uri(target).AbsolutePath : target;
        var summary = $"HTTP {reply.Status} {reply.ContentType}: {reply.Body[..Math.Min(reply.Body.Length, 160)]}";
        if (path.Contains("%00", StringComparison.Ordinal))
        {
            // Kestrel itself refuses a NUL in the decoded path (a bare 400): the request never reaches the app.
            return reply.Status == 400 && reply.Body.Length == 0 ? null : summary;
        }
        if (path.StartsWith("/douyin", StringComparison.OrdinalIgnoreCase))
        {
            if (reply.Status != 200 || reply.ContentType != "application/json")
            {
                return summary;
            }
            try
            {
                var envelope = JsonNode.Parse(reply.Body)?.AsObject();
                return envelope?["status_code"]?.GetValue<int>() == 400 && envelope["status_msg"]!.GetValue<string>().Contains("path", StringComparison.OrdinalIgnoreCase)
                    ? null
                    : summary;
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
            {
                return summary;
            }
        }
        return reply.Status == 404 && reply.ContentType == "application/problem+json" ? null : summary;
    }
}
