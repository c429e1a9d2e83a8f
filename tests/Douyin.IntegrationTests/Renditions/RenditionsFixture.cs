using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Renditions;

/// <summary>
/// The whole app with one Feed, whose consumer then handles the rendition queue in its order (it takes one job at a
/// time: Renditions:MaxConcurrent), and short retry delays, so a failing job is dead-lettered within a test. Feed stops
/// without a drain (Shutdown:DrainDelay) and gives the work in flight half a second (Shutdown:StopTimeout, 5 s under
/// dcp): a stopping consumer lets its handlers finish within that timeout, and the test's encode, several seconds long,
/// must be cut off mid-way, not finished.
/// </summary>
public sealed class RenditionsFixture : DouyinAppFixture
{
    protected override void Configure(IDistributedApplicationTestingBuilder builder) =>
        Project(builder, "feed")
            .WithReplicas(1)
            .WithEnvironment("Renditions__Enabled", "true")
            .WithEnvironment("Renditions__RetryCount", "2")
            .WithEnvironment("Renditions__RetryDelay", "00:00:00.200")
            .WithEnvironment("Shutdown__DrainDelay", "00:00:00")
            .WithEnvironment("Shutdown__StopTimeout", "00:00:00.500");
}

[CollectionDefinition(Name)]
public sealed class RenditionsCollection : ICollectionFixture<RenditionsFixture>
{
    public const string Name = "Douyin app making renditions";
}
