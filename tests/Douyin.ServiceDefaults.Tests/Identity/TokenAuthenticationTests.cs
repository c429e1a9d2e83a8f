using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Douyin.Api.Identity;
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

    TokenService Tokens => _app.App.Services.GetRequiredService<TokenService>();

    string Issue(long userId) => Tokens.Issue(userId);

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

    [Fact]
    public async Task ARememberedTokenStopsValidatingTheSecondItExpires()
    {
        var token = Issue(21);
        _time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(10));
        Assert.Equal("21", await GetAsync($"/douyin/private?token={token}"));
        Assert.Equal(1, Tokens.RememberedCount);

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("21", await GetAsync($"/douyin/private?token={token}"));
        Assert.Equal(21, Tokens.Validate(token)); // the edge's check shares what JwtBearer validated

        _time.Advance(TimeSpan.FromSeconds(1));
        await AssertEnvelopeAsync($"/douyin/private?token={token}", "The token is invalid or expired: log in again.");
        Assert.Equal("anonymous", await GetAsync($"/hubs/whoami?access_token={token}"));
        Assert.Null(Tokens.Validate(token));
    }

    [Fact]
    public async Task ATokenWithARememberedOnesPayloadButAnotherSignatureIsRefused()
    {
        var ours = Issue(22);
        Assert.Equal("22", await GetAsync($"/douyin/private?token={ours}"));
        Assert.Equal(1, Tokens.RememberedCount);

        var parts = ours.Split('.');
        var (header, payload) = (Decode(parts[0]), Decode(parts[1]));
        var otherKey = Encoding.UTF8.GetBytes("another-key-another-key-another-key-another");
        string[] forged =
        [
            ForgedTokens.Forge(header, payload, data => HMACSHA256.HashData(otherKey, data)),
            ForgedTokens.Forge(header, payload, sign: null),
            $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}",
            .. ForgedTokens.WithEachAlgorithm(Key, payload).Others.Select(o => o.Token),
        ];
        foreach (var token in forged)
        {
            Assert.NotEqual(ours, token);
            await AssertEnvelopeAsync($"/douyin/private?token={token}", "The token is invalid or expired: log in again.");
            Assert.Null(await Tokens.ReadAsync(token));
        }
        Assert.Equal(1, Tokens.RememberedCount);
        Assert.Equal("22", await GetAsync($"/douyin/private?token={ours}"));

        static string Decode(string part) => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(part));
    }

    [Fact]
    public async Task MadeUpTokensAreRefusedAndNotRemembered()
    {
        var otherKey = Encoding.UTF8.GetBytes("made-up-key-made-up-key-made-up-key-made-up");
        for (var userId = 1; userId <= 50; userId++)
        {
            var claims = ForgedTokens.Claims(userId, _time.GetUtcNow());
            foreach (var token in new[] { ForgedTokens.Forge(ForgedTokens.Hs256Header, claims, data => HMACSHA256.HashData(otherKey, data)), $"made-up-{userId}" })
            {
                await AssertEnvelopeAsync($"/douyin/private?token={token}", "The token is invalid or expired: log in again.");
            }
        }
        Assert.Equal(0, Tokens.RememberedCount);
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
