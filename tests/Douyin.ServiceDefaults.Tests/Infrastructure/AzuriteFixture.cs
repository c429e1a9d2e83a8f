using Aspire.Hosting;
using Douyin.ServiceDefaults.Blobs;
using Douyin.Tests.Shared;

namespace Douyin.ServiceDefaults.Tests.Infrastructure;

/// <summary>A throwaway Azurite blob service (the AppHost's own emulator), shared by the blob tests.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's publicly documented key, not a secret.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    LocalServer? _server;

    /// <summary>The connection string exactly as the AppHost injects it for <c>AddBlobs</c>.</summary>
    public string ConnectionString => _server?.ConnectionString ?? throw new InvalidOperationException("Azurite has not started.");

    public string BlobEndpoint => BlobConnectionInfo.Parse(ConnectionString).ServiceUri.ToString().TrimEnd('/');

    public int Port => new Uri(BlobEndpoint).Port;

    public BlobServiceClient CreateServiceClient() => new(ConnectionString);

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
