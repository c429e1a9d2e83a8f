using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Renditions;

/// <summary>
/// The whole app with renditions off, as the shared app runs, but of its own: a backfill takes every video without a
/// rendition, so run in the shared app it would switch the play_url of the media tests' videos under them.
/// </summary>
public sealed class BackfillFixture : DouyinAppFixture
{
    protected override void Configure(IDistributedApplicationTestingBuilder builder) => Project(builder, "feed").WithReplicas(1);
}

[CollectionDefinition(Name)]
public sealed class BackfillCollection : ICollectionFixture<BackfillFixture>
{
    public const string Name = "Douyin app publishing without renditions, then backfilled";
}
