using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Douyin.ServiceDefaults.Identity;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Douyin.Tests.Shared;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Douyin.ServiceDefaults.Tests.Identity;

/// <summary>JwtBearer as our services configure it, on a real Kestrel app: where it reads the token, what it refuses and how it answers.</summary>
public sealed class TokenAuthenticationTests : IAsyncLifetime
{
    const string Key = "jwt-key-jwt-key-jwt-key-jwt-key-jwt-key";

    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));
    TestWebApp _app = null!;
    HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await TestWebApp.StartAsync(
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(_time);
                builder.AddDouyinApi();
                builder.AddTokenAuthentication();
            },
            app =>
            {
                app.UseDouyinApi();
                app.UseAuthentication();
                app.UseAuthorization();
                static string WhoAmI(ClaimsPrincipal user) => user.GetUserId()?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "anonymous";
                app.MapGet("/douyin/whoami", WhoAmI);
                app.MapPost("/douyin/whoami", WhoAmI).DisableAntiforgery();
                app.MapGet("/hubs/whoami", WhoAmI);
                app.MapGet("/douyin/private", WhoAmI).RequireAuthorization();
                app.MapGet("/hubs/private", WhoAmI).RequireAuthorization();
                app.MapGet("/hubs/expires", async (HttpContext context) => (await context.AuthenticateAsync()).Properties?.ExpiresUtc);
            },
            new Dictionary<string, string?> { ["Jwt:Key"] = Key, ["Jwt:Lifetime"] = "01:00:00" });
        _client = new HttpClient { BaseAddress = _app.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    string Issue(long userId) => _app.App.Services.GetRequiredService<TokenService>().Issue(userId);

    Task<string> GetAsync(string path) => _client.GetStringAsync(path);

    [Fact]
    public async Task TheTokenIsReadFromTheQueryAUrlEncodedFormAndTheBearerHeader()
    {
        Assert.Equal("7", await GetAsync($"/douyin/whoami?token={Issue(7)}"));

        using var form = new FormUrlEncodedContent([new("token", Issue(8))]);
        Assert.Equal("8", await (await _client.PostAsync("/douyin/whoami", form)).Content.ReadAsStringAsync());

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/douyin/whoami") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Issue(9)) } };
        Assert.Equal("9", await (await _client.SendAsync(bearer)).Content.ReadAsStringAsync());

        Assert.Equal("anonymous", await GetAsync("/douyin/whoami"));
    }

    [Fact]
    public async Task SignalRsAccessTokenQueryCountsOnlyOnHubPaths()
    {
        Assert.Equal("10", await GetAsync($"/hubs/whoami?access_token={Issue(10)}"));
        Assert.Equal("anonymous", await GetAsync($"/douyin/whoami?access_token={Issue(10)}"));
    }

    [Fact]
    public async Task TheTicketExpiresWithTheTokenForCloseOnAuthenticationExpiration()
    {
        var expires = await _client.GetFromJsonAsync<DateTimeOffset?>($"/hubs/expires?access_token={Issue(11)}");
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromHours(1), expires);
    }

    [Fact]
    public async Task TheAppsTimeProviderDecidesWhenATokenHasExpired()
    {
        var token = Issue(12);
        _time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.Equal("12", await GetAsync($"/douyin/whoami?token={token}"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("anonymous", await GetAsync($"/douyin/whoami?token={token}"));
        await AssertEnvelopeAsync($"/douyin/private?token={token}", "The token is invalid or expired: log in again.");
    }

    [Fact]
    public async Task OnTheApiARefusalIsTheEnvelopeAndElsewhereA401WithProblemDetails()
    {
        await AssertEnvelopeAsync("/douyin/private", "A token is required: log in first.");
        await AssertEnvelopeAsync("/douyin/private?token=not-a-token", "The token is invalid or expired: log in again.");

        foreach (var (path, detail) in new[]
        {
            ("/hubs/private", "A token is required: log in first."),
            ("/hubs/private?access_token=not-a-token", "The token is invalid or expired: log in again."),
        })
        {
            using var answer = await _client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.Equal(detail, problem.RootElement.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task ATokenSignedWithAnotherAlgorithmIsRefused()
    {
        var (ours, others) = ForgedTokens.WithEachAlgorithm(Key, ForgedTokens.Claims(13, _time.GetUtcNow()));
        foreach (var (algorithm, token) in others)
        {
            Assert.True(await GetAsync($"/douyin/whoami?token={token}") == "anonymous", $"{algorithm} was accepted");
            await AssertEnvelopeAsync($"/douyin/private?token={token}", "The token is invalid or expired: log in again.");
        }
        // The same claims under our header and algorithm pass: only the algorithm was wrong.
        Assert.Equal("13", await GetAsync($"/douyin/private?token={ours}"));
    }

    async Task AssertEnvelopeAsync(string path, string message)
    {
        using var answer = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var envelope = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(401, envelope.RootElement.GetProperty("status_code").GetInt32());
        Assert.Equal(message, envelope.RootElement.GetProperty("status_msg").GetString());
    }
}
