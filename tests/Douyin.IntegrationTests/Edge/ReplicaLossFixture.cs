using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// The whole app with three replicas of Feed and of Social, for tests that stop, kill or freeze some of them: one app
/// per test class (IClassFixture), since a replica that is gone does not come back.
/// </summary>
public sealed class ReplicaLossFixture : DouyinAppFixture
{
    public const int Replicas = 3;

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        Project(builder, "feed").WithReplicas(Replicas);
        Project(builder, "social").WithReplicas(Replicas);
    }
}
