using System.Net;
using Douyin.Api.Identity;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Tests.Identity;

/// <summary>The service credential on a real Kestrel app: the typed clients' handler opens the /internal group, nothing else does.</summary>
public sealed class ServiceCredentialTests
{
    const string Key = "service-key-service-key-service-key-1234";

    static Task<TestWebApp> StartAsync(string? key) => TestWebApp.StartAsync(
        builder =>
        {
            builder.AddTokenAuthentication();
            builder.AddServiceCredential();
            builder.AddServiceCredential(); // a second call (each typed client makes one) changes nothing
        },
        app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapInternalGroup().MapPost("/ping", () => TypedResults.Ok("pong"));
        },
        new Dictionary<string, string?> { ["ServiceCredential:Key"] = key, ["Jwt:Key"] = "jwt-key-jwt-key-jwt-key-jwt-key-jwt-key" });

    [Fact]
    public async Task OnlyTheSharedKeyThroughTheClientsHandlerReachesAnInternalEndpoint()
    {
        await using var app = await StartAsync(Key);
        HttpClient Presenting(string key) =>
            new(new ServiceCredentialMessageHandler(Options.Create(new ServiceCredentialOptions { Key = key })) { InnerHandler = new HttpClientHandler() })
            {
                BaseAddress = app.BaseAddress,
            };
        using var withKey = Presenting(Key);
        using var withOtherKey = Presenting(Key + "x");
        using var anyone = new HttpClient { BaseAddress = app.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, (await withKey.PostAsync("/internal/ping", null)).StatusCode);
        foreach (var refused in new[] { await withOtherKey.PostAsync("/internal/ping", null), await anyone.PostAsync("/internal/ping", null) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("too-short")]
    public async Task AServiceWithoutAKeyOfThirtyTwoCharactersDoesNotStart(string? key)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(key));
        Assert.Contains("ServiceCredential__Key", failure.Message);
    }
}
