using System.Net;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Douyin.ServiceDefaults.Tests.Resilience;

public sealed class HttpResilienceTests
{
    /// <summary>A flaky upstream: the first <paramref name="failures"/> calls answer 503.</summary>
    static Task<TestWebApp> FlakyAsync(int failures, Counter hits) => TestWebApp.StartAsync(_ => { }, app =>
        app.Map("/flaky", () => Interlocked.Increment(ref hits.Value) <= failures
            ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok")));

    static async Task<(TestWebApp Caller, HttpClient Client)> CallerAsync(TestWebApp target, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["services:upstream:http:0"] = target.BaseAddress.ToString();
        settings["HttpClientResilience:Retry:Delay"] = "00:00:00.010";
        var caller = await TestWebApp.StartAsync(
            builder =>
            {
                builder.AddServiceDefaults();
                builder.Services.AddHttpClient("upstream", c => c.BaseAddress = new Uri("http://upstream"));
            },
            _ => { },
            settings);
        return (caller, caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("upstream"));
    }

    [Fact]
    public async Task IdempotentRequestsAreRetriedUntilTheyPass()
    {
        var hits = new Counter();
        await using var target = await FlakyAsync(failures: 2, hits);
        var (caller, client) = await CallerAsync(target);
        await using var _ = caller;

        var response = await client.GetAsync("/flaky");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, hits.Value);
    }

    [Fact]
    public async Task APostIsNotRepeatedUnlessMarkedRetryable()
    {
        var hits = new Counter();
        await using var target = await FlakyAsync(failures: 1, hits);
        var (caller, client) = await CallerAsync(target);
        await using var _ = caller;

        var plain = await client.PostAsync("/flaky", new StringContent("x"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, plain.StatusCode);
        Assert.Equal(1, hits.Value);

        hits.Value = 0;
        using var marked = new HttpRequestMessage(HttpMethod.Post, "/flaky") { Content = new StringContent("x") };
        marked.Options.Set(HttpResilience.Retryable, true);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(marked)).StatusCode);
        Assert.Equal(2, hits.Value);
    }

    [Fact]
    public async Task TheCircuitOpensAndStopsHammeringADeadDependency()
    {
        var hits = new Counter();
        await using var target = await FlakyAsync(failures: int.MaxValue, hits);
        var (caller, client) = await CallerAsync(target, new()
        {
            ["HttpClientResilience:CircuitBreaker:MinimumThroughput"] = "4",
            ["HttpClientResilience:CircuitBreaker:FailureRatio"] = "0.5",
            ["HttpClientResilience:CircuitBreaker:BreakDuration"] = "00:00:30",
        });
        await using var _ = caller;

        // POSTs, which are not retried, so each call is one attempt the breaker counts.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.PostAsync("/flaky", null)).StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.PostAsync("/flaky", null));
        Assert.Equal(4, hits.Value);
    }

    [Fact]
    public async Task AServiceWhoseDatabaseIsDownAnswers503WithRetryAfterAndIsNotCalledAgain()
    {
        // A port nobody listens on: PostgreSQL stopped.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var hits = new Counter();
        await using var target = await TestWebApp.StartAsync(builder => builder.AddDouyinApi(), app =>
        {
            app.UseDouyinApi();
            app.MapGet("/internal/items", async (CancellationToken ct) =>
            {
                Interlocked.Increment(ref hits.Value);
                await using var connection = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=x;Password=x;Pooling=false");
                await connection.OpenAsync(ct);
                return "unreachable";
            });
        });
        var (caller, client) = await CallerAsync(target);
        await using var _ = caller;

        using var response = await client.GetAsync("/internal/items");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("The database is unavailable", await response.Content.ReadAsStringAsync());
        // The service spent its own retries on its database; the caller's would multiply them along a chain.
        Assert.Equal(1, hits.Value);
    }

    [Fact]
    public async Task ASlowAttemptTimesOut()
    {
        await using var target = await TestWebApp.StartAsync(_ => { }, app =>
            app.MapGet("/slow", async (CancellationToken ct) => { await Task.Delay(TimeSpan.FromSeconds(10), ct); return "late"; }));
        var (caller, client) = await CallerAsync(target, new()
        {
            ["HttpClientResilience:Retry:MaxRetryAttempts"] = "1",
            ["HttpClientResilience:AttemptTimeout:Timeout"] = "00:00:00.200",
        });
        await using var _ = caller;

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetAsync("/slow"));
    }

    public sealed class Counter
    {
        public int Value;
    }
}
