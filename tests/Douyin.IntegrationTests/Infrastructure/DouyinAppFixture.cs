using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Douyin.IntegrationTests.Infrastructure;

/// <summary>
/// The whole app, started once for the test collection with Aspire's DistributedApplicationTestingBuilder: the AppHost's
/// Program.cs under the real orchestrator, with real PostgreSQL, Redis, RabbitMQ and Azurite processes, every service,
/// and Douyin.Web as the only way in. Each app keeps its data in a fresh folder of its own.
/// </summary>
public class DouyinAppFixture : IAsyncLifetime
{
    readonly string _dataPath = Directory.CreateTempSubdirectory("douyin-apphost-test-").FullName;
    DistributedApplication? _app;
    IReadOnlyList<Uri> _chatReplicas = [];

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>A client of the public edge, as the mobile client sees it.</summary>
    public HttpClient Web { get; private set; } = null!;

    /// <summary>The word Chat masks in these tests (the app ships no list of its own).</summary>
    public const string BannedWord = "darn";

    /// <summary>Chat runs as two replicas, so that tests see a message pushed from one replica reach a client of the other.</summary>
    public const int ChatReplicas = 2;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>([$"--AppHost:DataPath={_dataPath}", .. AppHostArguments()], timeout.Token);
        // Every test calls from one address, faster than any person: the edge's limits are tested on their own (Edge/).
        Project(builder, "web").WithEnvironment("RateLimiting__Enabled", "false");
        // Media and publishing tests compare what is served with what was uploaded: a rendition landing in between
        // would replace it. The rendition pipeline has its own collection (Renditions/), where this is on again.
        Project(builder, "feed").WithEnvironment("Renditions__Enabled", "false");
        // The friend list's message previews are optional, and Social drops them after 2 s (Relations:MessagePreviewTimeout);
        // at a load average of 30 to 40, Chat's answer took longer and a test saw no preview. Tests of the previews ask for
        // them, not for the budget: the budget's own fallback is tested with Chat stopped.
        Project(builder, "social").WithEnvironment("Relations__MessagePreviewTimeout", "00:00:10");
        Project(builder, "chat")
            .WithReplicas(ChatReplicas)
            .WithEnvironment("WordFilter__BannedWords__0", BannedWord);
        Configure(builder);
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
        Web = _app.CreateHttpClient("web");
        _chatReplicas = await _app.ReplicaAddressesAsync("chat", timeout.Token);
    }

    /// <summary>Settings of a collection's own app, applied after the shared ones.</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    /// <summary>A service's resource, to give it settings of its own.</summary>
    protected static IResourceBuilder<ProjectResource> Project(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == name));

    /// <summary>The base address of one Chat replica, to reach it past the orchestrator's proxy (and the gateway's choice).</summary>
    public Uri ChatReplica(int replica) => _chatReplicas[replica];

    /// <summary>DOUYIN_TEST_REPLICAS=n runs n replicas of Feed and Social (the AppHost's Replicas setting), as eng/test.sh does once; Chat always runs two.</summary>
    static string[] AppHostArguments() =>
        Environment.GetEnvironmentVariable("DOUYIN_TEST_REPLICAS") is { Length: > 0 } replicas ? [$"--Replicas={replicas}"] : [];

    public async Task DisposeAsync()
    {
        Web?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        Directory.Delete(_dataPath, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class DouyinAppCollection : ICollectionFixture<DouyinAppFixture>
{
    public const string Name = "Douyin app";
}
