using System.Text.RegularExpressions;

namespace Douyin.AppHost.Tests;

// The environment each project receives in run mode (aspire-conventions.md §1 and §7), computed without starting anything.
public class EnvironmentTests
{
    private static async Task<(DistributedApplication App, IReadOnlyDictionary<string, string> Feed, IReadOnlyDictionary<string, string> Web)> ComputeAsync(
        Action<IDistributedApplicationTestingBuilder>? configure = null)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>([], CancellationToken.None);
        configure?.Invoke(builder);
        var app = await builder.BuildAsync();
        return (app, await app.GetRunModeEnvironmentAsync("feed"), await app.GetRunModeEnvironmentAsync("web"));
    }

    [Fact]
    public async Task FeedReceivesConnectionStringsInAspireFormats()
    {
        var (app, feed, _) = await ComputeAsync();
        await using var _ = app;

        var pgPort = app.GetEndpoint("pg", "tcp").Port;
        Assert.Matches($"^Host=localhost;Port={pgPort};Username=postgres;Password=[A-Za-z0-9]{{22}};Database=feeddb$", feed["ConnectionStrings__feeddb"]);
        Assert.Matches($"^localhost:{app.GetEndpoint("cache", "tcp").Port},password=[A-Za-z0-9]{{22}}$", feed["ConnectionStrings__cache"]);
        Assert.Matches($"^amqp://guest:[A-Za-z0-9]{{22}}@localhost:{app.GetEndpoint("messaging", "tcp").Port}$", feed["ConnectionStrings__messaging"]);
        Assert.Equal(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{app.GetEndpoint("storage", "blob").Port}/devstoreaccount1;",
            feed["ConnectionStrings__blobs"]);
        Assert.Equal(app.GetEndpoint("social").ToString().TrimEnd('/'), feed["services__social__http__0"]);
        Assert.Matches("^[A-Za-z0-9]{64}$", feed["Jwt__Key"]); // long enough for HS256 (32 bytes or more)
        Assert.Equal(feed["Jwt__Key"], (await app.GetRunModeEnvironmentAsync("social"))["Jwt__Key"]);
    }

    [Fact]
    public async Task FeedReceivesTheRunModeHostingVariables()
    {
        var (app, feed, _) = await ComputeAsync();
        await using var _ = app;

        Assert.Equal("Development", feed["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("Development", feed["DOTNET_ENVIRONMENT"]);
        Assert.Equal("http", feed["DOTNET_LAUNCH_PROFILE"]);
        Assert.Equal($"http://localhost:{app.GetEndpoint("feed").Port}", feed["ASPNETCORE_URLS"]);
        Assert.Equal("true", feed["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]);
        Assert.Equal("simple", feed["LOGGING__CONSOLE__FORMATTERNAME"]);
        Assert.Equal("true", feed["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"]);
        Assert.Equal("feed", feed["OTEL_SERVICE_NAME"]);
        Assert.Matches("^service.instance.id=feed-[0-9a-f]{8}$", feed["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", feed.Keys);
        Assert.DoesNotContain(feed.Keys, k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) && k is not ("ConnectionStrings__feeddb" or "ConnectionStrings__cache" or "ConnectionStrings__messaging" or "ConnectionStrings__blobs"));
    }

    [Fact]
    public async Task WebReceivesEveryServiceAndTheBlobConnection()
    {
        var (app, _, web) = await ComputeAsync();
        await using var _ = app;

        foreach (var service in new[] { "social", "feed", "chat" })
        {
            Assert.Equal($"http://localhost:{app.GetEndpoint(service).Port}", web[$"services__{service}__http__0"]);
            Assert.Equal(web[$"services__{service}__http__0"], web[$"{service.ToUpperInvariant()}_HTTP"]);
        }
        Assert.StartsWith("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;", web["ConnectionStrings__blobs"]);
        Assert.DoesNotContain(web.Keys, k => Regex.IsMatch(k, "^ConnectionStrings__(feeddb|socialdb|chatdb|cache|messaging)$"));
        // RandomizePorts (the testing default) moves web off its launch-profile port 8080.
        Assert.Equal($"http://localhost:{app.GetEndpoint("web").Port}", web["ASPNETCORE_URLS"]);
    }

    [Fact]
    public async Task ConfigurationDrivesParametersPortsTelemetryAndExistingServers()
    {
        var (app, feed, web) = await ComputeAsync(b =>
        {
            b.Configuration["Parameters:jwt-key"] = "from-configuration";
            b.Configuration["DcpPublisher:RandomizePorts"] = "false";
            b.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = "http://localhost:18889";
            b.Configuration["ConnectionStrings:pg"] = "Host=db.example;Username=app;Password=secret";
        });
        await using var _ = app;

        Assert.Equal("from-configuration", feed["Jwt__Key"]);
        Assert.Equal("http://localhost:8080", web["ASPNETCORE_URLS"]);
        Assert.Equal("http://localhost:18889", feed["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("grpc", feed["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        // An existing server replaces the local process; databases are still derived from it.
        Assert.Equal("Host=db.example;Username=app;Password=secret;Database=feeddb", feed["ConnectionStrings__feeddb"]);
    }

    [Fact]
    public async Task ReplicasGetOneServiceEntryAndOnePortEach()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>([], CancellationToken.None);
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "chat")).WithReplicas(2);
        await using var app = await builder.BuildAsync();

        var web = await app.GetRunModeEnvironmentAsync("web");
        var chat0 = await app.GetRunModeEnvironmentAsync("chat", 0);
        var chat1 = await app.GetRunModeEnvironmentAsync("chat", 1);

        Assert.Equal(chat0["ASPNETCORE_URLS"], web["services__chat__http__0"]);
        Assert.Equal(chat1["ASPNETCORE_URLS"], web["services__chat__http__1"]);
        Assert.NotEqual(chat0["ASPNETCORE_URLS"], chat1["ASPNETCORE_URLS"]);
        Assert.StartsWith("service.instance.id=chat-1-", chat1["OTEL_RESOURCE_ATTRIBUTES"]);
    }
}
