using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Chat;

/// <summary>
/// The whole app with Chat's replicas stopping as in a deployment: a drain (Shutdown:DrainDelay) between turning unready
/// and stopping, which the local AppHost leaves out (dcp kills a project 6 s after SIGTERM, so drain and stop fit in 5 s).
/// </summary>
public sealed class ChatReplicaLossFixture : DouyinAppFixture
{
    public static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(3);

    protected override void Configure(IDistributedApplicationTestingBuilder builder) =>
        Project(builder, "chat")
            .WithEnvironment("Shutdown__DrainDelay", DrainDelay.ToString())
            .WithEnvironment("Shutdown__StopTimeout", "00:00:02");
}

[CollectionDefinition(Name)]
public sealed class ChatReplicaLossCollection : ICollectionFixture<ChatReplicaLossFixture>
{
    public const string Name = "Douyin app whose Chat replicas drain";
}
