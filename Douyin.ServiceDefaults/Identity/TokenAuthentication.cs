using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Douyin.ServiceDefaults.Api;
using Douyin.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Identity
{
    /// <summary>
    /// Authenticates the API's <c>token</c> (query, url-encoded form or bearer header) with <see cref="TokenService"/>,
    /// and on hub paths also SignalR's <c>access_token</c> query parameter (browsers cannot set headers on a WebSocket).
    /// On the API a challenge answers with the envelope (HTTP 200, status 401), which is all the mobile client reads;
    /// elsewhere (hubs) with a real 401 and problem details. Anonymous callers pass through, so endpoints where the
    /// token is optional simply see no user.
    /// </summary>
    public sealed class TokenAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenService tokens)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "DouyinToken";

        /// <summary>Where SignalR hubs are mapped; only there is <c>access_token</c> read from the query string.</summary>
        public const string HubPathPrefix = "/hubs";

        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var parameters = await ApiParameters.BindAsync(Context, null!);
            var token = parameters!.Token
                ?? (Request.Path.StartsWithSegments(HubPathPrefix) ? Request.Query["access_token"].FirstOrDefault() : null);
            if (string.IsNullOrEmpty(token))
            {
                return AuthenticateResult.NoResult();
            }
            if (tokens.Read(token) is not { } valid)
            {
                return AuthenticateResult.Fail("The token is invalid or expired: log in again.");
            }
            if (Context.RequestServices.GetService<UserDirectory>() is { } users && !await users.ExistsAsync(valid.UserId, Context.RequestAborted))
            {
                return AuthenticateResult.Fail("The token's user no longer exists.");
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, valid.UserId.ToString(CultureInfo.InvariantCulture))], SchemeName);
            // The ticket ends with the token, so a hub mapped with CloseOnAuthenticationExpiration drops the connection then.
            var properties = new AuthenticationProperties { ExpiresUtc = valid.ExpiresAt };
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), properties, SchemeName));
        }

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            var result = await Context.AuthenticateAsync(SchemeName);
            var message = result.Failure?.Message ?? "A token is required: log in first.";
            if (DouyinApi.IsApiPath(Request.Path))
            {
                await DouyinApi.WriteEnvelopeAsync(Context, ApiStatus.Unauthorized, message);
                return;
            }
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: message).ExecuteAsync(Context);
        }
    }
}

namespace System.Security.Claims
{
    public static class DouyinClaimsPrincipalExtensions
    {
        /// <summary>The caller's user id, or null for an anonymous caller.</summary>
        public static long? GetUserId(this ClaimsPrincipal principal) =>
            long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class TokenAuthenticationExtensions
    {
        /// <summary>The token service alone (options from <c>Jwt</c>), for a host that reads tokens without authenticating requests.</summary>
        public static IHostApplicationBuilder AddTokenService(this IHostApplicationBuilder builder)
        {
            builder.Services.AddOptions<JwtOptions>().BindConfiguration("Jwt");
            builder.Services.TryAddSingleton<TokenService>();
            return builder;
        }

        /// <summary>The token service (options from <c>Jwt</c>) and the API's token authentication as the default scheme.</summary>
        public static IHostApplicationBuilder AddTokenAuthentication(this IHostApplicationBuilder builder)
        {
            builder.AddTokenService();
            builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
            builder.Services.AddAuthorization();
            return builder;
        }
    }
}
