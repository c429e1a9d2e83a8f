using Douyin.ServiceDefaults.Blobs;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Douyin.ServiceDefaults.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public class BlobClientExtensionsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ServiceClientReadsConnectionStringsAndIsHealthyAgainstAzurite()
    {
        using var host = BuildHost(new() { ["ConnectionStrings:blobs"] = azurite.ConnectionString }, b => b.AddAzureBlobServiceClient("blobs"));

        var client = host.Services.GetRequiredService<BlobServiceClient>();
        Assert.Same(client, host.Services.GetRequiredService<BlobServiceClient>());
        Assert.Equal(new Uri($"{azurite.BlobEndpoint}/"), client.Uri);

        var entry = await CheckAsync(host, "Azure_BlobServiceClient");
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("ready", entry.Tags);
    }

    [Fact]
    public async Task ServiceClientIsUnhealthyAgainstADeadPort()
    {
        var deadEndpoint = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{Douyin.Tests.Shared.LocalServer.FreePort()}/");
        using var host = BuildHost(new() { ["ConnectionStrings:blobs"] = deadEndpoint }, b => b.AddAzureBlobServiceClient("blobs"));

        var entry = await CheckAsync(host, "Azure_BlobServiceClient");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<HttpRequestException>(entry.Exception);
    }

    [Fact]
    public void MissingConnectionStringNamesTheConfigurationKey()
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
            ["ConnectionStrings:blobs"] = azurite.ConnectionString,
        }, b => b.AddAzureBlobServiceClient("blobs", s => seen = s));

        Assert.NotNull(seen);
        Assert.True(seen.DisableTracing);
        Assert.True(seen.DisableHealthChecks);
        Assert.Equal(azurite.ConnectionString, seen.ConnectionString);
        Assert.Empty(host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations);
    }

#pragma warning disable CS0618 // the obsolete alias is what this test is about
    [Fact]
    public void ObsoleteAddAzureBlobClientRegistersTheServiceClient()
    {
        using var host = BuildHost(new() { ["ConnectionStrings:blobs"] = azurite.ConnectionString }, b => b.AddAzureBlobClient("blobs"));

        Assert.NotNull(host.Services.GetRequiredService<BlobServiceClient>());
    }
#pragma warning restore CS0618

    [Fact]
    public async Task ContainerClientTakesTheContainerFromTheConnectionString()
    {
        var containerName = $"reg{Guid.NewGuid():N}";
        using var host = BuildHost(new() { ["ConnectionStrings:videos"] = $"{azurite.ConnectionString};ContainerName={containerName}" },
            b => b.AddAzureBlobContainerClient("videos"));
        var container = host.Services.GetRequiredService<BlobContainerClient>();
        Assert.Equal(containerName, container.Name);

        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(host, "Azure_BlobContainerClient")).Status);
        await container.CreateIfNotExistsAsync();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host, "Azure_BlobContainerClient")).Status);
    }

    [Fact]
    public void ContainerClientFallsBackToTheBlobContainerNameSetting()
    {
        using var host = BuildHost(new()
        {
            ["ConnectionStrings:videos"] = azurite.ConnectionString,
            ["Aspire:Azure:Storage:Blobs:videos:BlobContainerName"] = "douyin-videos",
        }, b => b.AddAzureBlobContainerClient("videos"));

        Assert.Equal("douyin-videos", host.Services.GetRequiredService<BlobContainerClient>().Name);
    }

    [Fact]
    public void ContainerClientWithoutAContainerNameSaysWhereToPutOne()
    {
        using var host = BuildHost(new() { ["ConnectionStrings:videos"] = azurite.ConnectionString }, b => b.AddAzureBlobContainerClient("videos"));

        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<BlobContainerClient>());

        Assert.Contains("ContainerName=", ex.Message);
        Assert.Contains("BlobContainerName", ex.Message);
    }

    static IHost BuildHost(Dictionary<string, string?> configuration, Action<IHostApplicationBuilder> register)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration);
        register(builder);
        return builder.Build();
    }

    static async Task<HealthReportEntry> CheckAsync(IHost host, string name)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name);
        return Assert.Single(report.Entries).Value;
    }
}
