namespace Douyin.AppHost.Tests;

// The app model Program.cs builds in run mode, and what configuration changes in it, without starting anything.
public sealed class EnvironmentTests : IDisposable
{
    private readonly string _dataPath = Directory.CreateTempSubdirectory("douyin-apphost-model-").FullName;

    public void Dispose() => Directory.Delete(_dataPath, recursive: true);

    private async Task<IDistributedApplicationTestingBuilder> ModelAsync(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>([$"--AppHost:DataPath={_dataPath}", .. args], CancellationToken.None);

    private static IResource Resource(IDistributedApplicationTestingBuilder builder, string name) => builder.Resources.Single(r => r.Name == name);

    [Fact]
    public async Task RunModeServesTheBackingServicesWithLocalProcessesOnTheirOwnPorts()
    {
        await using var builder = await ModelAsync();

        Assert.IsType<LocalPostgresResource>(Resource(builder, "pg"));
        Assert.IsType<LocalPostgresDatabaseResource>(Resource(builder, "feeddb"));
        Assert.IsType<LocalRedisResource>(Resource(builder, "cache"));
        Assert.IsType<LocalRabbitMQResource>(Resource(builder, "messaging"));
        Assert.IsType<AzuriteResource>(Resource(builder, "storage"));
        Assert.IsType<AzuriteBlobsResource>(Resource(builder, "blobs"));
        foreach (var server in builder.Resources.OfType<LocalServerResource>())
        {
            // No proxy: the server listens where clients connect, and keeps its port across a restart.
            var endpoint = Assert.Single(server.Annotations.OfType<EndpointAnnotation>());
            Assert.False(endpoint.IsProxied);
            Assert.NotNull(endpoint.Port);
            Assert.Equal(endpoint.Port, endpoint.TargetPort);
            Assert.StartsWith(_dataPath, server.DataDirectory, StringComparison.Ordinal);
            Assert.NotEmpty(server.Annotations.OfType<HealthCheckAnnotation>());
        }
    }

    [Fact]
    public async Task ConfigurationGivesParametersAndReplacesLocalServersWithExistingOnes()
    {
        await using var builder = await ModelAsync(
            "--Parameters:jwt-key=from-configuration", "--ConnectionStrings:pg=Host=db.example;Username=app;Password=secret",
            "--ConnectionStrings:storage=UseDevelopmentStorage=true");
        Assert.Equal("from-configuration", await ((ParameterResource)Resource(builder, "jwt-key")).GetValueAsync(CancellationToken.None));
        // An existing server replaces the local process; databases are still derived from it.
        Assert.DoesNotContain(builder.Resources, r => r is LocalPostgresResource or AzuriteResource);
        Assert.Equal("Host=db.example;Username=app;Password=secret;Database=feeddb", await ((IResourceWithConnectionString)Resource(builder, "feeddb")).GetConnectionStringAsync());
        Assert.Equal("UseDevelopmentStorage=true", await ((IResourceWithConnectionString)Resource(builder, "blobs")).GetConnectionStringAsync());
    }

    [Fact]
    public async Task TheContainerSwitchUsesAspiresOwnContainerResources()
    {
        await using var builder = await ModelAsync("--Douyin:Containers=true");

        Assert.IsType<PostgresServerResource>(Resource(builder, "pg"));
        Assert.IsType<PostgresDatabaseResource>(Resource(builder, "feeddb"));
        Assert.IsType<RedisResource>(Resource(builder, "cache"));
        Assert.IsType<RabbitMQServerResource>(Resource(builder, "messaging"));
        // Azure Storage has no hosting package here: Azurite stays a local process.
        Assert.IsType<AzuriteResource>(Resource(builder, "storage"));
    }
}
