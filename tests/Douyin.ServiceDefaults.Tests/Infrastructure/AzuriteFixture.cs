using Aspire.Hosting;
using Douyin.Tests.Shared;

namespace Douyin.ServiceDefaults.Tests.Infrastructure;

/// <summary>A throwaway Azurite blob service (the AppHost's own emulator), shared by the blob tests.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    LocalServer? _server;

    /// <summary>The connection string exactly as the AppHost injects it for <c>AddBlobs</c>.</summary>
    public string ConnectionString => _server?.ConnectionString ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>The <c>BlobEndpoint=</c> of <see cref="ConnectionString"/>, e.g. <c>http://127.0.0.1:port/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint => new(ConnectionString.Split(';').Single(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..]);

    public async Task InitializeAsync() =>
        _server = await LocalServer.StartAsync(b => b.AddAzureStorage("storage").RunAsEmulator().AddBlobs("blobs"));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
