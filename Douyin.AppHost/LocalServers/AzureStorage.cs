namespace Douyin.AppHost.LocalServers;

/// <summary>Azurite's blob service from the repository's node_modules (package.json pins it), the storage emulator.</summary>
public sealed class AzuriteResource(string name, string command, string dataDirectory) : LocalServerResource(name, command, dataDirectory)
{
    // The publicly documented emulator account key; not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public override string PrimaryEndpointName => "blob";

    // The Azure SDK's account connection string; 127.0.0.1, not localhost, as Aspire writes it for the emulator.
    public override ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)}/devstoreaccount1;");
}

/// <summary>The blob service of the emulated account: what the services reference (<c>ConnectionStrings__blobs</c>).</summary>
public sealed class AzuriteBlobsResource(string name, AzuriteResource emulator) : Resource(name), IResourceWithParent<AzuriteResource>, IResourceWithConnectionString
{
    public AzuriteResource Parent { get; } = emulator;

    public ReferenceExpression ConnectionStringExpression => Parent.ConnectionStringExpression;
}

/// <summary>
/// An Azure Storage account, with the method names of Aspire.Hosting.Azure.Storage (not served by our registry). Only the
/// emulator is run; a real account comes in as a connection string (<c>ConnectionStrings:blobs</c>, or <c>:storage</c> for
/// the account), which is also what a published manifest asks the deployer for.
/// </summary>
public sealed class AzureStorage(IDistributedApplicationBuilder builder, string name)
{
    private bool _emulated;

    /// <summary>Run mode: Azurite serves the account unless a connection string is configured.</summary>
    public AzureStorage RunAsEmulator()
    {
        _emulated = builder.ExecutionContext.IsRunMode;
        return this;
    }

    public IResourceBuilder<IResourceWithConnectionString> AddBlobs(string blobsName)
    {
        if (builder.Configuration.GetConnectionString(name) is { Length: > 0 } account && !builder.HasConnectionString(blobsName))
        {
            builder.Configuration[$"ConnectionStrings:{blobsName}"] = account;
        }
        if (!_emulated || builder.HasConnectionString(blobsName))
        {
            return builder.AddConnectionString(blobsName);
        }
        var emulator = new AzuriteResource(name, builder.NodeTool("azurite-blob"), builder.DataDirectory(name));
        builder.AddLocalServer(emulator, "http", IsHealthyAsync)
            .WithArgs(context =>
            {
                foreach (var argument in new[] { "--blobHost", "127.0.0.1", "--location", emulator.DataDirectory, "--skipApiVersionCheck", "--blobPort" })
                {
                    context.Args.Add(argument);
                }
                context.Args.Add(emulator.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            });
        return builder.AddChild(emulator, new AzuriteBlobsResource(blobsName, emulator));
    }

    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(3) };

    // Any HTTP answer (Azurite says 400/403 to an anonymous GET) means it is serving.
    private static async Task<bool> IsHealthyAsync(AzuriteResource emulator, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s_http.GetAsync($"http://127.0.0.1:{emulator.PrimaryEndpoint.Port}/devstoreaccount1", cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

public static class AzureStorageExtensions
{
    public static AzureStorage AddAzureStorage(this IDistributedApplicationBuilder builder, string name) => new(builder, name);
}
