using Douyin.IntegrationTests.Infrastructure;

// The fault tests stop servers and services of their own app; two apps at once on CI's two cores would slow every
// timing-sensitive test of the other, so collections run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Douyin.IntegrationTests.Faults;

/// <summary>Tests that take dependencies and services away, on an app of their own so the other tests never see it.</summary>
[CollectionDefinition(Name)]
public sealed class FaultsCollection : ICollectionFixture<DouyinAppFixture>
{
    public const string Name = "Douyin app under faults";
}
