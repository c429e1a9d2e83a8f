using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Douyin.IntegrationTests.Infrastructure;

/// <summary>
/// The whole app, started once for the test collection the way Aspire's DistributedApplicationTestingBuilder does:
/// real PostgreSQL, Redis, RabbitMQ and Azurite processes, every service, and Douyin.Web as the only way in.
/// </summary>
public sealed class DouyinAppFixture : IAsyncLifetime
{
    DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>A client of the public edge, as the mobile client sees it.</summary>
    public HttpClient Web { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>([], timeout.Token);
        // Every test calls from one address, faster than any person: the edge's limits are tested on their own (Edge/).
        var web = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "web");
        builder.CreateResourceBuilder(web).WithEnvironment("RateLimiting__Enabled", "false");
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
        Web = _app.CreateHttpClient("web");
    }

    public async Task DisposeAsync()
    {
        Web?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DouyinAppCollection : ICollectionFixture<DouyinAppFixture>
{
    public const string Name = "Douyin app";
}
