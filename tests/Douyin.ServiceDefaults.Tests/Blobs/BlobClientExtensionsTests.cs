using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Douyin.ServiceDefaults.Blobs;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Douyin.ServiceDefaults.Tests.Blobs;

/// <summary>Our AddAzureBlobServiceClient (Aspire's call over Azure.Storage.Blobs) against the AppHost's own Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public class BlobClientExtensionsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task TheAppHostsConnectionStringGivesASingletonThatWorksAndIsHealthy()
    {
        using var host = BuildHost(new() { ["ConnectionStrings:blobs"] = azurite.ConnectionString }, b => b.AddAzureBlobServiceClient("blobs"));

        var client = host.Services.GetRequiredService<BlobServiceClient>();
        Assert.Same(client, host.Services.GetRequiredService<BlobServiceClient>());
        Assert.Equal(azurite.BlobEndpoint, client.Uri);

        // The SDK's service version is newer than Azurite's own: the AppHost starts it with --skipApiVersionCheck.
        var blob = await NewBlobAsync(client);
        await blob.UploadAsync(BinaryData.FromString("hello"));
        Assert.Equal("hello", (await blob.DownloadContentAsync()).Value.Content.ToString());

        var entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("ready", entry.Tags);
    }

    [Fact]
    public async Task ADeadPortIsUnhealthy()
    {
        var deadEndpoint = azurite.ConnectionString.Replace($":{azurite.BlobEndpoint.Port}/", $":{Douyin.Tests.Shared.LocalServer.FreePort()}/");
        using var host = BuildHost(new() { ["ConnectionStrings:blobs"] = deadEndpoint }, b => b.AddAzureBlobServiceClient("blobs"));

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.NotNull(entry.Exception);
    }

    [Fact]
    public async Task AWrongAccountKeyIsUnhealthy()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var connectionString = string.Join(';', azurite.ConnectionString.Split(';').Select(p => p.StartsWith("AccountKey=", StringComparison.Ordinal) ? $"AccountKey={wrongKey}" : p));
        using var host = BuildHost(new() { ["ConnectionStrings:blobs"] = connectionString }, b => b.AddAzureBlobServiceClient("blobs"));

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(403, Assert.IsType<Azure.RequestFailedException>(entry.Exception).Status);
    }

    [Fact]
    public void AMissingConnectionStringNamesTheConfigurationKeyWhenTheClientIsFirstUsed()
    {
        using var host = BuildHost([], b => b.AddAzureBlobServiceClient("blobs"));

        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<BlobServiceClient>());

        Assert.Contains("ConnectionStrings:blobs", ex.Message);
    }

    [Fact]
    public void SettingsComeFromTheAspireSectionsAndConnectionStringsWins()
    {
        BlobStorageSettings? seen = null;
        using var host = BuildHost(new()
        {
            ["Aspire:Azure:Storage:Blobs:DisableTracing"] = "true",
            ["Aspire:Azure:Storage:Blobs:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Aspire:Azure:Storage:Blobs:blobs:DisableHealthChecks"] = "true",
            ["Aspire:Azure:Storage:Blobs:blobs:ServiceUri"] = "https://elsewhere.blob.core.windows.net/",
            ["ConnectionStrings:blobs"] = azurite.ConnectionString,
        }, b => b.AddAzureBlobServiceClient("blobs", s => seen = s));

        Assert.NotNull(seen);
        Assert.True(seen.DisableTracing);
        Assert.True(seen.DisableHealthChecks);
        Assert.Equal(azurite.ConnectionString, seen.ConnectionString);
        Assert.Empty(host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        // A connection string is used before ServiceUri, as in Aspire.
        Assert.Equal(azurite.BlobEndpoint, host.Services.GetRequiredService<BlobServiceClient>().Uri);
    }

    [Theory]
    [InlineData("ConnectionStrings:blobs")]
    [InlineData("Aspire:Azure:Storage:Blobs:blobs:ServiceUri")]
    public async Task AServiceUriWithASasWorks(string key)
    {
        var sas = new BlobServiceClient(azurite.ConnectionString).GenerateAccountSasUri(
            AccountSasPermissions.All, TimeProvider.System.GetUtcNow().AddHours(1), AccountSasResourceTypes.All);
        using var host = BuildHost(new() { [key] = sas.AbsoluteUri }, b => b.AddAzureBlobServiceClient("blobs"));

        var client = host.Services.GetRequiredService<BlobServiceClient>();
        var blob = await NewBlobAsync(client);
        await blob.UploadAsync(BinaryData.FromString("signed"));

        Assert.Equal("signed", (await blob.DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
    }

    [Fact]
    public void AServiceUriWithoutASasIsRefused()
    {
        using var host = BuildHost(new() { ["ConnectionStrings:blobs"] = azurite.BlobEndpoint.AbsoluteUri }, b => b.AddAzureBlobServiceClient("blobs"));

        var ex = Assert.Throws<NotSupportedException>(() => host.Services.GetRequiredService<BlobServiceClient>());

        Assert.Contains("SAS", ex.Message);
        Assert.Contains(azurite.BlobEndpoint.AbsoluteUri, ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BlobCallsAreTracedUnlessDisabled(bool disableTracing)
    {
        var spans = new List<Activity>();
        using var host = BuildHost(new()
        {
            ["ConnectionStrings:blobs"] = azurite.ConnectionString,
            ["Aspire:Azure:Storage:Blobs:DisableTracing"] = disableTracing.ToString(),
        }, b =>
        {
            b.Services.AddOpenTelemetry().WithTracing(t => t.SetSampler(new AlwaysOnSampler()).AddProcessor(new Collect(spans)));
            b.AddAzureBlobServiceClient("blobs");
        });
        Assert.NotNull(host.Services.GetService<TracerProvider>());

        var container = host.Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(NewContainerName());
        await container.CreateIfNotExistsAsync();

        lock (spans)
        {
            var blobSpans = spans.Where(s => s.Source.Name.StartsWith("Azure.Storage.Blobs", StringComparison.Ordinal)).ToList();
            if (disableTracing)
            {
                Assert.Empty(blobSpans);
            }
            else
            {
                var create = Assert.Single(blobSpans, s => s.DisplayName.Contains("CreateIfNotExists", StringComparison.Ordinal));
                Assert.Equal("Microsoft.Storage", create.GetTagItem("az.namespace"));
            }
        }
    }

    static async Task<BlobClient> NewBlobAsync(BlobServiceClient client)
    {
        var container = client.GetBlobContainerClient(NewContainerName());
        await container.CreateIfNotExistsAsync();
        return container.GetBlobClient($"{Guid.NewGuid():N}.txt");
    }

    static string NewContainerName() => $"t{Guid.NewGuid():N}"[..30];

    static IHost BuildHost(Dictionary<string, string?> configuration, Action<IHostApplicationBuilder> register)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration);
        register(builder);
        return builder.Build();
    }

    static async Task<HealthReportEntry> CheckAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "Azure_BlobServiceClient");
        return Assert.Single(report.Entries).Value;
    }

    sealed class Collect(List<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            lock (spans)
            {
                spans.Add(data);
            }
        }
    }
}
