using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Douyin.Api.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Douyin.Api.Identity
{
    /// <summary>The key our services share to call each other's <c>/internal</c> endpoints (<c>ServiceCredential__Key</c>, the AppHost's service-key parameter).</summary>
    public sealed class ServiceCredentialOptions
    {
        public const string SectionName = "ServiceCredential";

        public const int MinKeyLength = 32;

        public string Key { get; set; } = "";
    }

    /// <summary>
    /// The one definition of how a service proves it is one of ours: the shared key in <see cref="HeaderName"/>, checked in
    /// constant time by <see cref="ServiceCredentialHandler"/> on every endpoint under <see cref="PathPrefix"/>. Clients never
    /// hold it (Douyin.Web does not either), so a user's token, however valid, is not a way in.
    /// </summary>
    public static class ServiceCredential
    {
        public const string HeaderName = "X-Douyin-Service-Key";
        public const string SchemeName = "DouyinService";
        public const string PolicyName = "InternalCaller";
        public const string PathPrefix = "/internal";

        /// <summary>Hashes first, so the comparison takes the same time whatever the presented value's length.</summary>
        internal static bool Matches(string? presented, byte[] keyHash) =>
            presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), keyHash);

        internal static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Authenticates a calling service by <see cref="ServiceCredential.HeaderName"/>; a refusal is 401 with problem details.</summary>
    public sealed class ServiceCredentialHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<ServiceCredentialOptions> credential)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        readonly byte[] _keyHash = ServiceCredential.Hash(credential.Value.Key);

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(ServiceCredential.HeaderName, out var presented))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }
            if (presented.Count != 1 || !ServiceCredential.Matches(presented[0], _keyHash))
            {
                return Task.FromResult(AuthenticateResult.Fail("The service credential is wrong."));
            }
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, ServiceCredential.PolicyName)], ServiceCredential.SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ServiceCredential.SchemeName)));
        }

        protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            var result = await Context.AuthenticateAsync(ServiceCredential.SchemeName);
            Response.Headers.WWWAuthenticate = ServiceCredential.SchemeName;
            await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: result.Failure?.Message ?? $"Internal endpoints answer only our services: send the service credential in {ServiceCredential.HeaderName}.")
                .ExecuteAsync(Context);
        }
    }

    /// <summary>Adds the service credential to the requests of a typed client that calls internal endpoints.</summary>
    public sealed class ServiceCredentialMessageHandler(IOptions<ServiceCredentialOptions> credential) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(ServiceCredential.HeaderName);
            request.Headers.TryAddWithoutValidation(ServiceCredential.HeaderName, credential.Value.Key);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class ServiceCredentialExtensions
    {
        /// <summary>
        /// The service credential (options from <c>ServiceCredential</c>, required at start), its authentication scheme and
        /// the <see cref="ServiceCredential.PolicyName"/> policy. Safe to call more than once.
        /// </summary>
        public static IHostApplicationBuilder AddServiceCredential(this IHostApplicationBuilder builder)
        {
            if (builder.Services.Any(d => d.ServiceType == typeof(ServiceCredentialMessageHandler)))
            {
                return builder;
            }
            builder.Services.AddOptions<ServiceCredentialOptions>().BindConfiguration(ServiceCredentialOptions.SectionName)
                .Validate(o => o.Key is { Length: >= ServiceCredentialOptions.MinKeyLength },
                    $"ServiceCredential:Key must be at least {ServiceCredentialOptions.MinKeyLength} characters (set ServiceCredential__Key; the AppHost passes its service-key parameter).")
                .ValidateOnStart();
            builder.Services.TryAddTransient<ServiceCredentialMessageHandler>();
            builder.Services.AddAuthentication()
                .AddScheme<AuthenticationSchemeOptions, ServiceCredentialHandler>(ServiceCredential.SchemeName, null);
            builder.Services.AddAuthorizationBuilder()
                .AddPolicy(ServiceCredential.PolicyName, policy => policy.AddAuthenticationSchemes(ServiceCredential.SchemeName).RequireAuthenticatedUser());
            return builder;
        }

        /// <summary>Sends the service credential with every request of this client (register with <see cref="AddServiceCredential"/>).</summary>
        public static IHttpClientBuilder AddServiceCredential(this IHttpClientBuilder client) =>
            client.AddHttpMessageHandler<ServiceCredentialMessageHandler>();

        /// <summary>The <c>/internal</c> group: only callers with the service credential reach what is mapped in it.</summary>
        public static RouteGroupBuilder MapInternalGroup(this IEndpointRouteBuilder app)
        {
            var group = app.MapGroup(ServiceCredential.PathPrefix);
            group.RequireAuthorization(ServiceCredential.PolicyName).WithTags("Internal");
            return group;
        }
    }
}
