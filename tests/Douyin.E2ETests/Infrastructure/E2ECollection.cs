using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.E2ETests.Infrastructure;

/// <summary>The whole app (the integration tests' fixture) and one browser, shared by every end-to-end test.</summary>
[CollectionDefinition(Name)]
public sealed class E2ECollection : ICollectionFixture<DouyinAppFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Douyin in a browser";
}
