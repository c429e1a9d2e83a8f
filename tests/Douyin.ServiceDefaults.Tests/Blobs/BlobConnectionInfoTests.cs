using Douyin.ServiceDefaults.Blobs;
using Douyin.ServiceDefaults.Tests.Infrastructure;

namespace Douyin.ServiceDefaults.Tests.Blobs;

public class BlobConnectionInfoTests
{
    const string Key = AzuriteFixture.AccountKey;

    [Fact]
    public void EmulatorConnectionStringUsesBlobEndpointAndKey()
    {
        var info = BlobConnectionInfo.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;");

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/"), info.ServiceUri);
        Assert.Equal("devstoreaccount1", info.Credential?.AccountName);
        Assert.Null(info.SasToken);
        Assert.Null(info.ContainerName);
    }

    [Fact]
    public void AzureConnectionStringBuildsTheEndpointFromAccountAndSuffix()
    {
        var info = BlobConnectionInfo.Parse($"DefaultEndpointsProtocol=https;AccountName=douyin;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal(new Uri("https://douyin.blob.core.chinacloudapi.cn/"), info.ServiceUri);
        Assert.Equal("douyin", info.Credential?.AccountName);
    }

    [Fact]
    public void AzureConnectionStringDefaultsToHttpsAndThePublicCloud()
    {
        var info = BlobConnectionInfo.Parse($"AccountName=douyin;AccountKey={Key}");

        Assert.Equal(new Uri("https://douyin.blob.core.windows.net/"), info.ServiceUri);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true")]
    [InlineData("usedevelopmentstorage=True;")]
    public void DevelopmentStorageMeansTheDefaultEmulator(string connectionString)
    {
        var info = BlobConnectionInfo.Parse(connectionString);

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/"), info.ServiceUri);
        Assert.Equal("devstoreaccount1", info.Credential?.AccountName);
    }

    [Fact]
    public void SasUriKeepsItsQueryAsTheToken()
    {
        var info = BlobConnectionInfo.Parse("https://douyin.blob.core.windows.net/?sv=2025-01-05&ss=b&sig=abc%3D");

        Assert.Equal(new Uri("https://douyin.blob.core.windows.net/"), info.ServiceUri);
        Assert.Equal("sv=2025-01-05&ss=b&sig=abc%3D", info.SasToken);
        Assert.Null(info.Credential);
        Assert.DoesNotContain("sig", info.ToString());
    }

    [Fact]
    public void ConnectionStringWithSharedAccessSignatureUsesIt()
    {
        var info = BlobConnectionInfo.Parse("BlobEndpoint=https://douyin.blob.core.windows.net;SharedAccessSignature=?sv=2025-01-05&sig=x");

        Assert.Equal("sv=2025-01-05&sig=x", info.SasToken);
        Assert.Null(info.Credential);
    }

    [Theory]
    [InlineData("https://douyin.blob.core.windows.net/")]
    [InlineData("Endpoint=https://douyin.blob.core.windows.net/;ContainerName=douyin-videos")]
    public void UriWithoutSasIsRejectedBecauseThereIsNoAzureIdentity(string connectionString)
    {
        var ex = Assert.Throws<NotSupportedException>(() => BlobConnectionInfo.Parse(connectionString));

        Assert.Contains("account key", ex.Message);
        Assert.Contains("SAS", ex.Message);
    }

    [Fact]
    public void ContainerVariantOfTheEmulatorStringCarriesTheContainer()
    {
        var info = BlobConnectionInfo.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;;ContainerName=douyin-videos");

        Assert.Equal("douyin-videos", info.ContainerName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/"), info.ServiceUri);
    }

    [Fact]
    public void ContainerVariantWithEndpointAndSasUsesTheEndpoint()
    {
        var info = BlobConnectionInfo.Parse("Endpoint=https://douyin.blob.core.windows.net/?sv=1&sig=x;ContainerName=douyin-videos");

        Assert.Equal(new Uri("https://douyin.blob.core.windows.net/"), info.ServiceUri);
        Assert.Equal("sv=1&sig=x", info.SasToken);
        Assert.Equal("douyin-videos", info.ContainerName);
    }

    [Theory]
    [InlineData("AccountName=douyin")]
    [InlineData("BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1")]
    [InlineData("DefaultEndpointsProtocol=ftp;AccountName=douyin;AccountKey=AAAA")]
    [InlineData("AccountName=douyin;AccountKey=not*base64")]
    [InlineData("just some words")]
    public void IncompleteOrMalformedStringsAreRejected(string connectionString) =>
        Assert.Throws<FormatException>(() => BlobConnectionInfo.Parse(connectionString));
}
