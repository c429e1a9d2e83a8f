using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// The whole app as a deployment runs it: two replicas of Feed, Social and Chat, each stopping as in Kubernetes, with a
/// drain (Shutdown:DrainDelay) between turning unready and stopping. The local AppHost leaves the drain out, since dcp
/// kills a project 6 s after SIGTERM; drain and stop timeout here fit in that. One app per test class.
/// </summary>
public sealed class RolloutFixture : DouyinAppFixture
{
    public const int Replicas = 2;

    public static readonly string[] Services = ["feed", "social", "chat"];

    public static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(3);

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var service in Services)
        {
            Project(builder, service)
                .WithReplicas(Replicas)
                .WithEnvironment("Shutdown__DrainDelay", DrainDelay.ToString())
                .WithEnvironment("Shutdown__StopTimeout", "00:00:02");
        }
    }
}
