using System.Net;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Douyin.ServiceDefaults.Tests.ServiceDiscovery;

/// <summary>
/// What AddServiceDefaults configures: every HttpClient addresses a service by name (<c>http://social</c>), which
/// Microsoft.Extensions.ServiceDiscovery resolves from the <c>services:{name}:http:{i}</c> keys an AppHost injects
/// (<c>services__social__http__0</c>), replicas in turn, beneath the resilience handler.
/// </summary>
public sealed class ServiceDiscoveryTests
{
    /// <summary>A replica that says which one it is, or answers 503 when <paramref name="down"/>.</summary>
    static Task<TestWebApp> ReplicaAsync(string name, List<string> hits, bool down = false) => TestWebApp.StartAsync(_ => { }, app =>
        app.Map("/whoami", () =>
        {
            lock (hits)
            {
                hits.Add(name);
            }
            return down ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text(name);
        }));

    /// <summary>A host with our defaults and a client of "http://social", whose replicas are <paramref name="replicas"/>.</summary>
    static (IHost Caller, HttpClient Client) Caller(params TestWebApp[] replicas) => Caller([.. replicas.Select(r => r.BaseAddress)]);

    static (IHost Caller, HttpClient Client) Caller(Uri[] replicas, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(replicas
            .Select((replica, i) => KeyValuePair.Create($"services:social:http:{i}", (string?)replica.ToString()))
            .Append(KeyValuePair.Create("HttpClientResilience:Retry:Delay", (string?)"00:00:00.010"))
            .Concat(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))));
        builder.AddServiceDefaults();
        builder.Services.AddHttpClient("social", c => c.BaseAddress = new Uri("http://social"));
        var caller = builder.Build();
        return (caller, caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient("social"));
    }

    [Fact]
    public async Task AnHttpClientAddressingAServiceByNameReachesTheConfiguredUrl()
    {
        var hits = new List<string>();
        await using var replica = await ReplicaAsync("only", hits);
        var (caller, client) = Caller(replica);
        using var _ = caller;

        Assert.Equal("only", await client.GetStringAsync("/whoami"));
    }

    [Fact]
    public async Task ReplicasAreCalledInTurn()
    {
        var hits = new List<string>();
        await using var first = await ReplicaAsync("first", hits);
        await using var second = await ReplicaAsync("second", hits);
        var (caller, client) = Caller(first, second);
        using var _ = caller;

        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.GetStringAsync("/whoami"));
        }

        Assert.Equal(2, answers.Count(a => a == "first"));
        Assert.Equal(2, answers.Count(a => a == "second"));
        Assert.NotEqual(answers[0], answers[1]);
    }

    /// <summary>
    /// The resilience handler wraps discovery, so a retry resolves the name again and reaches the next replica; a POST
    /// is still sent once (HttpResilience's rule), whichever replica it meets.
    /// </summary>
    [Fact]
    public async Task ARetriedGetGoesToTheNextReplicaAndAPostIsSentOnce()
    {
        var hits = new List<string>();
        await using var down = await ReplicaAsync("down", hits, down: true);
        await using var up = await ReplicaAsync("up", hits);
        var (caller, client) = Caller(down, up);
        using var _ = caller;

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("up", await client.GetStringAsync("/whoami"));
        }
        Assert.Equal(4, hits.Count(h => h == "up"));
        Assert.InRange(hits.Count(h => h == "down"), 1, 4);

        hits.Clear();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync("/whoami", content: null);
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(4, hits.Count);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.Contains(HttpStatusCode.OK, statuses);
    }

    /// <summary>
    /// A replica that is gone (its port refuses connections) costs a GET one retry, which resolves the name again and
    /// meets the next replica in turn; a POST that met it is not sent again. Discovery's round robin is the only
    /// choice (its selector is internal in 10.11) and knows nothing of failures: it is one counter per service, so
    /// under concurrent calls a retry may draw the gone replica again (see docs/reliability.md).
    /// </summary>
    [Fact]
    public async Task ARetryAfterARefusedConnectionGoesToTheNextReplicaAndAPostIsNotRepeated()
    {
        var hits = new List<string>();
        await using var up = await ReplicaAsync("up", hits);
        var (caller, client) = Caller([new Uri($"http://127.0.0.1:{ClosedPort()}"), up.BaseAddress], ("HttpClientResilience:Retry:MaxRetryAttempts", "1"));
        using var _ = caller;

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("up", await client.GetStringAsync("/whoami"));
        }
        Assert.Equal(10, hits.Count);

        hits.Clear();
        var refused = 0;
        for (var i = 0; i < 4; i++)
        {
            try
            {
                using var response = await client.PostAsync("/whoami", content: null);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
            {
                refused++;
            }
        }
        Assert.Equal(2, refused); // the replicas in turn, each POST sent once
        Assert.Equal(2, hits.Count);
    }

    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
