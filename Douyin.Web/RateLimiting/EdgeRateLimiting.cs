using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Douyin.Api.Identity;
using Douyin.Api.Media;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Douyin.Web.RateLimiting;

/// <summary>
/// One token bucket: a burst of <see cref="TokenLimit"/>, refilled at <see cref="TokensPerPeriod"/> per
/// <see cref="ReplenishmentPeriod"/>. Partitioned limiters refill continuously (every 100 ms, pro rata), not in steps.
/// </summary>
public sealed class TokenBucketSettings
{
    public int TokenLimit { get; set; }
    public int TokensPerPeriod { get; set; }
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);

    internal TokenBucketRateLimiterOptions ToOptions() => new()
    {
        TokenLimit = TokenLimit,
        TokensPerPeriod = TokensPerPeriod,
        ReplenishmentPeriod = ReplenishmentPeriod,
        QueueLimit = 0, // refuse at once: a queued API call would only time out on the phone
        AutoReplenishment = true,
    };
}

/// <summary>Limits at the edge, bound from <c>RateLimiting</c>. Benchmarks from one address raise or disable them.</summary>
public sealed class EdgeRateLimitOptions
{
    public const string SectionName = "RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>Every request: per user when the token is valid, else per client address.</summary>
    public TokenBucketSettings General { get; set; } = new() { TokenLimit = 400, TokensPerPeriod = 200 };

    /// <summary>The <c>.../action/</c> writes (like, comment, follow, message, publish), per user or address.</summary>
    public TokenBucketSettings Writes { get; set; } = new() { TokenLimit = 60, TokensPerPeriod = 20 };

    /// <summary>
    /// Login, per client address: generous, since a carrier NAT puts hundreds of phones behind one address (500 of them
    /// can log in within a minute); guessing one account's password is slowed per account by Social.
    /// </summary>
    public TokenBucketSettings Login { get; set; } = new() { TokenLimit = 600, TokensPerPeriod = 10 };

    /// <summary>Register, per client address: the ceiling on accounts made from one address.</summary>
    public TokenBucketSettings Register { get; set; } = new() { TokenLimit = 20, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(3) };

    /// <summary>
    /// <c>/media/*</c>, per client address, instead of the general bucket: players fetch a video in many byte ranges,
    /// without a token, so a NAT's viewers all count against one address.
    /// </summary>
    public TokenBucketSettings Media { get; set; } = new() { TokenLimit = 2000, TokensPerPeriod = 1000 };
}

/// <summary>
/// The framework's rate limiter at the edge, before anything is forwarded. A refused call on the public API gets the
/// envelope (HTTP 200, status 429; the mobile client reads only that) plus <c>Retry-After</c>; elsewhere a plain 429.
/// Tokens are read from the query or the bearer header only: the gateway never reads a body it forwards.
/// </summary>
public static class EdgeRateLimiting
{
    public static IHostApplicationBuilder AddEdgeRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.AddTokenService();
        builder.Services.AddOptions<EdgeRateLimitOptions>().BindConfiguration(EdgeRateLimitOptions.SectionName);
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<EdgeRateLimitOptions>, TokenService>((limiter, options, tokens) =>
        {
            var o = options.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Route(context, tokens, o)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => HealthProbes.IsProbe(context.Request.Path) || HasAddressBucket(context.Request.Path)
                    ? RateLimitPartition.GetNoLimiter("unlimited") // an orchestrator's probes must never be refused
                    : RateLimitPartition.GetTokenBucketLimiter("general:" + Caller(context, tokens), _ => o.General.ToOptions())));
            limiter.OnRejected = OnRejectedAsync;
        });
        return builder;
    }

    public static WebApplication UseEdgeRateLimiting(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<EdgeRateLimitOptions>>().Value.Enabled)
        {
            app.UseRateLimiter();
        }
        return app;
    }

    // The path is canonical (UseCanonicalPaths refused every other spelling first), compared ignoring case as routes are.
    static RateLimitPartition<string> Route(HttpContext context, TokenService tokens, EdgeRateLimitOptions o)
    {
        var path = context.Request.Path;
        if (IsLogin(path))
        {
            return RateLimitPartition.GetTokenBucketLimiter("login:" + Address(context), _ => o.Login.ToOptions());
        }
        if (IsRegister(path))
        {
            return RateLimitPartition.GetTokenBucketLimiter("register:" + Address(context), _ => o.Register.ToOptions());
        }
        if (IsMedia(path))
        {
            return RateLimitPartition.GetTokenBucketLimiter("media:" + Address(context), _ => o.Media.ToOptions());
        }
        if (DouyinApi.IsApiPath(path) && path.Value!.AsSpan().TrimEnd('/').EndsWith("/action", StringComparison.OrdinalIgnoreCase))
        {
            return RateLimitPartition.GetTokenBucketLimiter("writes:" + Caller(context, tokens), _ => o.Writes.ToOptions());
        }
        return RateLimitPartition.GetNoLimiter("none");
    }

    static bool IsLogin(PathString path) => path.StartsWithSegments("/douyin/user/login", StringComparison.OrdinalIgnoreCase);

    static bool IsRegister(PathString path) => path.StartsWithSegments("/douyin/user/register", StringComparison.OrdinalIgnoreCase);

    static bool IsMedia(PathString path) => path.StartsWithSegments(MediaPaths.UrlPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Login, register and media are limited per address by their own buckets only: counted in the general one too, a
    /// NAT's 500 logins in one burst would meet its 400 before their own 600.
    /// </summary>
    static bool HasAddressBucket(PathString path) => IsLogin(path) || IsRegister(path) || IsMedia(path);

    static string Caller(HttpContext context, TokenService tokens)
    {
        var request = context.Request;
        var token = request.Query["token"].FirstOrDefault(t => !string.IsNullOrEmpty(t))
            ?? request.Query["access_token"].FirstOrDefault(t => !string.IsNullOrEmpty(t))
            ?? ApiParameters.BearerToken(request);
        // An invalid token counts against the address, so made-up tokens cannot buy fresh buckets.
        return tokens.Validate(token) is { } userId ? "u" + userId.ToString(CultureInfo.InvariantCulture) : Address(context);
    }

    /// <summary>
    /// The client's address as a limit key: an IPv4 address, or the /64 of an IPv6 one (one subscriber's prefix, so a
    /// client cannot buy fresh buckets by rotating through its own addresses). Forwarded headers count only from
    /// configured proxies (TrustedProxies).
    /// </summary>
    static string Address(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "ip-unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "ip" + address;
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return "ip" + new IPAddress(bytes) + "/64";
    }

    static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 1;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        if (DouyinApi.IsApiPath(context.Request.Path))
        {
            await DouyinApi.WriteEnvelopeAsync(context, ApiStatus.TooManyRequests, $"Too many requests: try again in {retryAfter} s.");
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.").ExecuteAsync(context);
        }
    }
}
