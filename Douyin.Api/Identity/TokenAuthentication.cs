using System.Globalization;
using System.Security.Claims;
using Douyin.Api;
using Douyin.Api.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Douyin.Api.Identity
{
    /// <summary>
    /// The API's token on JwtBearer: read from <c>token</c> (query or url-encoded form) or the bearer header, and on hub
    /// paths also from SignalR's <c>access_token</c> query parameter (browsers cannot set headers on a WebSocket); a
    /// multipart publish reads its own (VideoPublisher, with <see cref="TokenService"/>). Validated with
    /// <see cref="TokenService.ValidationParameters"/>, then refused if its user no longer exists (<see cref="UserDirectory"/>).
    /// On the API a challenge answers with the envelope (HTTP 200, status 401), which is all the mobile client reads;
    /// elsewhere (hubs) with a real 401 and problem details. Anonymous callers pass through, so endpoints where the
    /// token is optional simply see no user.
    /// </summary>
    public static class TokenAuthentication
    {
        public const string SchemeName = JwtBearerDefaults.AuthenticationScheme;

        /// <summary>Where SignalR hubs are mapped; only there is <c>access_token</c> read from the query string.</summary>
        public const string HubPathPrefix = "/hubs";

        const string InvalidToken = "The token is invalid or expired: log in again.";

        internal static void Configure(JwtBearerOptions options, TokenService tokens)
        {
            options.TokenValidationParameters = tokens.ValidationParameters;
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(tokens.Handler);
            options.MapInboundClaims = false;
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = ReadTokenAsync,
                OnTokenValidated = AcceptAsync,
                OnChallenge = ChallengeAsync,
            };
        }

        static async Task ReadTokenAsync(MessageReceivedContext context)
        {
            var request = context.Request;
            var parameters = await ApiParameters.BindAsync(context.HttpContext, null!);
            context.Token = parameters!.Token
                ?? (request.Path.StartsWithSegments(HubPathPrefix) ? request.Query["access_token"].FirstOrDefault() : null);
        }

        static async Task AcceptAsync(TokenValidatedContext context)
        {
            if (TokenService.Read(context.SecurityToken) is not { } valid)
            {
                context.Fail(new RefusedTokenException(InvalidToken));
                return;
            }
            var http = context.HttpContext;
            if (http.RequestServices.GetService<UserDirectory>() is { } users && !await users.ExistsAsync(valid.UserId, http.RequestAborted))
            {
                context.Fail(new RefusedTokenException("The token's user no longer exists."));
                return;
            }
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, valid.UserId.ToString(CultureInfo.InvariantCulture))], SchemeName);
            context.Principal = new ClaimsPrincipal(identity);
            // The ticket ends with the token, so a hub mapped with CloseOnAuthenticationExpiration drops the connection then.
            context.Properties.ExpiresUtc = valid.ExpiresAt;
        }

        static async Task ChallengeAsync(JwtBearerChallengeContext context)
        {
            context.HandleResponse();
            var message = context.AuthenticateFailure switch
            {
                null => "A token is required: log in first.",
                RefusedTokenException refused => refused.Message,
                _ => InvalidToken, // IdentityModel's reasons are for the log, not the client
            };
            if (DouyinApi.IsApiPath(context.Request.Path))
            {
                await DouyinApi.WriteEnvelopeAsync(context.HttpContext, ApiStatus.Unauthorized, message);
                return;
            }
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: message).ExecuteAsync(context.HttpContext);
        }

        /// <summary>A valid signature on a token we still refuse; its message is the client's answer.</summary>
        sealed class RefusedTokenException(string message) : Exception(message);
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

        /// <summary>The token service (options from <c>Jwt</c>) and JwtBearer, configured by it, as the default scheme.</summary>
        public static IHostApplicationBuilder AddTokenAuthentication(this IHostApplicationBuilder builder)
        {
            builder.AddTokenService();
            builder.Services.AddAuthentication(TokenAuthentication.SchemeName).AddJwtBearer(TokenAuthentication.SchemeName);
            builder.Services.AddOptions<JwtBearerOptions>(TokenAuthentication.SchemeName).Configure<TokenService>(TokenAuthentication.Configure);
            builder.Services.AddAuthorization();
            return builder;
        }
    }
}
