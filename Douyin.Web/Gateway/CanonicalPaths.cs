using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace Douyin.Web.Gateway;

/// <summary>
/// One spelling per path at the edge. Kestrel decodes a path once and resolves its dot segments; a service behind the
/// edge decodes what it is sent once more and resolves again, so any path that is not already plain after the edge's
/// decoding could route somewhere else there (<c>/douyin/message/%252E%252E/...</c> reached <c>/internal/*</c>).
/// Such a request is refused before routing and rate limiting, so the path that is routed, limited and forwarded is
/// the same string the services will route.
/// </summary>
public static class CanonicalPaths
{
    /// <summary>
    /// RFC 3986 pchar without '%' (nothing may be left to decode) and ';' (path parameters, which some servers strip
    /// before resolving dots). Everything outside ASCII is refused too: no route has it, and Unicode look-alikes
    /// (fullwidth '．' and '／', one dot leader) become '.' and '/' under the NFKC normalization some components apply.
    /// </summary>
    static readonly SearchValues<char> s_allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@/");

    public const string Rule =
        "paths are '/'-separated segments of letters, digits and -._~!$&'()*+,=:@, none of them empty, '.' or '..', with nothing percent-encoded twice";

    static readonly object s_acceptedKey = new();

    /// <summary>Refuses a request whose decoded path or raw target is not canonical: the API's envelope under /douyin, problem details 404 elsewhere.</summary>
    public static IApplicationBuilder UseCanonicalPaths(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            // Kestrel has already resolved the dot segments of the raw target: it is checked once decoded, as sent.
            var raw = RawPath(context.Features.Get<IHttpRequestFeature>()?.RawTarget);
            ReadOnlySpan<char> decodedRaw = raw.Contains('%') ? Uri.UnescapeDataString(raw.ToString()) : raw;
            if ((Flaw(path) ?? Flaw(decodedRaw)) is { } flaw)
            {
                // An API client gets the envelope whether the decoded path or the target as sent names the API.
                var api = DouyinApi.IsApiPath(context.Request.Path)
                    || decodedRaw.StartsWith('/') && DouyinApi.IsApiPath(new PathString(decodedRaw.ToString()));
                return RefuseAsync(context, flaw, api);
            }
            context.Items[s_acceptedKey] = path;
            return next(context);
        });

    /// <summary>Whether <see cref="UseCanonicalPaths"/> accepted this request's current path, so the forwarder may send it on.</summary>
    public static bool IsAccepted(HttpContext context) =>
        context.Items.TryGetValue(s_acceptedKey, out var accepted) && string.Equals(accepted as string, context.Request.Path.Value, StringComparison.Ordinal);

    /// <summary>Null when <paramref name="path"/> is canonical, else what is wrong with it.</summary>
    public static string? Flaw(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty || path[0] != '/')
        {
            return "it does not start with '/'";
        }
        if (path.IndexOfAnyExcept(s_allowed) is >= 0 and var at)
        {
            return path[at] switch
            {
                '%' => "it is still percent-encoded after decoding",
                '\\' => "it contains a backslash",
                ';' => "it contains a ';' parameter",
                < ' ' or '\x7F' or (>= '\x80' and <= '\x9F') => "it contains a control character",
                > '\x7F' => "it contains a character outside ASCII",
                var other => $"it contains '{other}'",
            };
        }
        var segments = path[1..];
        foreach (var range in segments.Split('/'))
        {
            var segment = segments[range];
            if (segment is "." or "..")
            {
                return "it contains a '.' or '..' segment";
            }
            if (segment.IsEmpty && range.End.Value != segments.Length)
            {
                return "it contains an empty segment ('//')"; // a trailing slash is the one empty segment routes accept
            }
        }
        return null;
    }

    /// <summary>The path part of a request target: origin form <c>/path?query</c>, or absolute form <c>http://host/path?query</c>.</summary>
    static ReadOnlySpan<char> RawPath(string? rawTarget)
    {
        var target = rawTarget.AsSpan();
        if (!target.StartsWith('/') && target.IndexOf("://") is >= 0 and var scheme)
        {
            target = target[(scheme + 3)..];
            target = target.IndexOfAny('/', '?') is >= 0 and var start && target[start] == '/' ? target[start..] : "/";
        }
        return target.IndexOf('?') is >= 0 and var query ? target[..query] : target;
    }

    static Task RefuseAsync(HttpContext context, string flaw, bool api) =>
        api
            ? DouyinApi.WriteEnvelopeAsync(context, ApiStatus.BadRequest, $"Invalid path: {flaw}; {Rule}.")
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: $"Invalid path: {flaw}; {Rule}.").ExecuteAsync(context);

    /// <summary>The same refusal, for a component that finds a path this middleware did not accept.</summary>
    public static Task RefuseAsync(HttpContext context) =>
        RefuseAsync(context, "it was not checked at the edge", DouyinApi.IsApiPath(context.Request.Path));
}
