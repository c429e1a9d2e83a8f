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
    static (IHost Caller, HttpClient Client) Caller(params TestWebApp[] replicas)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(replicas
            .Select((replica, i) => KeyValuePair.Create($"services:social:http:{i}", (string?)replica.BaseAddress.ToString()))
            .Append(KeyValuePair.Create("HttpClientResilience:Retry:Delay", (string?)"00:00:00.010")));
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
}
