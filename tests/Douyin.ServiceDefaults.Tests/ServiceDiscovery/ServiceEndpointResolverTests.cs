using Douyin.ServiceDefaults.ServiceDiscovery;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Douyin.ServiceDefaults.Tests.ServiceDiscovery;

public sealed class ServiceEndpointResolverTests
{
    static ServiceEndpointResolver Resolver(params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    [Fact]
    public void ResolvesTheAspireVariablesOfAService()
    {
        // Environment variables services__social__http__0 arrive as this configuration key.
        var resolver = Resolver(("services:social:http:0", "http://localhost:5123"));

        Assert.Equal(new Uri("http://localhost:5123/"), resolver.Resolve(new Uri("http://social")));
        Assert.Equal(new Uri("http://localhost:5123/douyin/user/?user_id=1"), resolver.Rewrite(new Uri("http://social/douyin/user/?user_id=1")));
    }

    [Fact]
    public void PrefersTheFirstSchemeOfAPlusListAndFallsBack()
    {
        var both = Resolver(("services:feed:http:0", "http://localhost:1"), ("services:feed:https:0", "https://localhost:2"));
        var httpOnly = Resolver(("services:feed:http:0", "http://localhost:1"));

        Assert.Equal(2, both.Resolve(new Uri("https+http://feed")).Port);
        Assert.Equal(1, httpOnly.Resolve(new Uri("https+http://feed")).Port);
        Assert.Equal(1, both.Resolve(new Uri("http://feed")).Port);
    }

    [Fact]
    public void NamedEndpointsAndDefaultSectionsResolve()
    {
        var resolver = Resolver(("services:chat:grpc:0", "http://localhost:7"), ("services:web:default:0", "http://localhost:8"));

        Assert.Equal(7, resolver.Resolve(new Uri("http://_grpc.chat")).Port);
        Assert.Equal(8, resolver.Resolve(new Uri("http://web")).Port);
    }

    [Fact]
    public void ReplicasAreUsedRoundRobin()
    {
        var resolver = Resolver(("services:chat:http:0", "http://localhost:1"), ("services:chat:http:1", "http://localhost:2"));

        var ports = Enumerable.Range(0, 4).Select(_ => resolver.Resolve(new Uri("http://chat")).Port).ToArray();

        Assert.Equal([1, 2, 1, 2], ports);
    }

    [Fact]
    public void AnAffinityKeyAlwaysPicksTheSameReplicaInEveryResolver()
    {
        (string, string)[] settings = [("services:chat:http:0", "http://localhost:1"), ("services:chat:http:1", "http://localhost:2"), ("services:chat:http:2", "http://localhost:3")];
        var first = Resolver(settings);
        var second = Resolver(settings);
        var keys = Enumerable.Range(0, 60).Select(i => $"token-{i}").ToList();

        var picks = keys.Select(k => first.Resolve(new Uri("http://chat"), k).Port).ToList();

        Assert.Equal(picks, keys.Select(k => first.Resolve(new Uri("http://chat"), k).Port));
        Assert.Equal(picks, keys.Select(k => second.Resolve(new Uri("http://chat"), k).Port));
        Assert.Equal([1, 2, 3], picks.Distinct().Order()); // and the keys spread over all replicas
    }

    [Fact]
    public void AMissingServiceNamesTheVariableToSet()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolver().Resolve(new Uri("http://social")));

        Assert.Contains("services__social__http__0", error.Message);
    }

    [Theory]
    [InlineData("http://social", true)]
    [InlineData("https+http://feed", true)]
    [InlineData("http://localhost:5000", false)]
    [InlineData("http://127.0.0.1:5000", false)]
    [InlineData("https://example.org", false)]
    public void TellsLogicalNamesFromRealHosts(string uri, bool logical) =>
        Assert.Equal(logical, ServiceEndpointResolver.IsLogical(new Uri(uri)));

    [Fact]
    public async Task AnHttpClientAddressingAServiceByNameReachesTheConfiguredUrl()
    {
        await using var target = await TestWebApp.StartAsync(_ => { }, app => app.MapGet("/whoami", () => "target"));
        await using var caller = await TestWebApp.StartAsync(
            builder =>
            {
                builder.AddServiceDefaults();
                builder.Services.AddHttpClient("social", c => c.BaseAddress = new Uri("http://social"));
            },
            _ => { },
            new Dictionary<string, string?> { ["services:social:http:0"] = target.BaseAddress.ToString() });

        var client = caller.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("social");

        Assert.Equal("target", await client.GetStringAsync("/whoami"));
    }
}
