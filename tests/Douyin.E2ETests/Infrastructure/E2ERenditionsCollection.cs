using Douyin.IntegrationTests.Renditions;

namespace Douyin.E2ETests.Infrastructure;

/// <summary>The app that makes renditions (the integration tests' fixture: the shared app has them off) and a browser of its own.</summary>
[CollectionDefinition(Name)]
public sealed class E2ERenditionsCollection : ICollectionFixture<RenditionsFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Douyin making renditions, in a browser";
}
