using Azure;
using Azure.Storage.Blobs;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Douyin.ServiceDefaults.Tests.Blobs;

/// <summary>How often the Blob client tries a storage that answers 503: ours by default, Aspire's ClientOptions keys when set.</summary>
public class BlobClientRetryTests
{
    [Fact]
    public async Task ByDefaultAFailingCallIsTriedThreeTimesInAll()
    {
        var (requests, error) = await CallBrokenStorageAsync([]);

        Assert.Equal(503, error.Status);
        Assert.Equal(3, requests);
    }

    [Theory]
    [InlineData("Aspire:Azure:Storage:Blobs:ClientOptions:Retry:MaxRetries", 0, 1)]
    [InlineData("Aspire:Azure:Storage:Blobs:blobs:ClientOptions:Retry:MaxRetries", 4, 5)]
    public async Task AspiresClientOptionsKeysSetTheRetries(string key, int maxRetries, int expectedRequests)
    {
        var (requests, _) = await CallBrokenStorageAsync(new() { [key] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(expectedRequests, requests);
    }

    [Fact]
    public void TheSdksRetryDefaultsAreReplacedByShortOnes()
    {
        var options = BlobClientExtensions.ClientOptions(new ConfigurationBuilder().Build(), "blobs");

        Assert.Equal(2, options.Retry.MaxRetries);
        Assert.True(options.Retry.MaxDelay <= TimeSpan.FromSeconds(1));
    }

    static async Task<(int Requests, RequestFailedException Error)> CallBrokenStorageAsync(Dictionary<string, string?> settings)
    {
        var requests = 0;
        await using var storage = await TestWebApp.StartAsync(_ => { }, app => app.Run(context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }));
        var key = Convert.ToBase64String(new byte[64]);
        settings["ConnectionStrings:blobs"] =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint={storage.BaseAddress}devstoreaccount1;";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddAzureBlobServiceClient("blobs");
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<BlobServiceClient>();
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetBlobContainerClient("videos").ExistsAsync());
        return (Volatile.Read(ref requests), error);
    }
}
