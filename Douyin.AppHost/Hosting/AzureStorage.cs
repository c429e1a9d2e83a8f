using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting.ApplicationModel
{
    /// <summary>An Azure Storage account. Only the emulator (Azurite) is modelled: real accounts come in through AddConnectionString.</summary>
    public class AzureStorageResource(string name) : Resource(name), IResourceWithEndpoints, IResourceWithWaitSupport
    {
        internal const string BlobEndpointName = "blob";

        // The publicly documented emulator account key; not a secret.
        internal const string EmulatorAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

        public bool IsEmulator => Annotations.OfType<EmulatorResourceAnnotation>().Any();
        public EndpointReference BlobEndpoint => new(this, BlobEndpointName);

        internal ReferenceExpression GetBlobConnectionString() => IsEmulator
            ? ReferenceExpression.Create($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={EmulatorAccountKey};BlobEndpoint=http://{BlobEndpoint.Property(EndpointProperty.IPV4Host)}:{BlobEndpoint.Property(EndpointProperty.Port)}/devstoreaccount1;")
            : throw new NotSupportedException($"'{Name}' is not an emulator; provisioning Azure Storage is not supported. Use builder.AddConnectionString(\"{Name}\") for a real account.");
    }

    /// <summary>The emulator container that stands in for <see cref="AzureStorageResource"/>; it shares the storage resource's annotations.</summary>
    public class AzureStorageEmulatorResource(AzureStorageResource innerResource) : ContainerResource(innerResource.Name)
    {
        public override ResourceAnnotationCollection Annotations => innerResource.Annotations;
    }

    public sealed class EmulatorResourceAnnotation : IResourceAnnotation;

    public class AzureBlobStorageResource(string name, AzureStorageResource storage) : Resource(name), IResourceWithConnectionString, IResourceWithParent<AzureStorageResource>
    {
        public AzureStorageResource Parent { get; } = storage;
        public ReferenceExpression ConnectionStringExpression => Parent.GetBlobConnectionString();
    }
}

namespace Aspire.Hosting
{
    public static class AzureStorageExtensions
    {
        public static IResourceBuilder<AzureStorageResource> AddAzureStorage(this IDistributedApplicationBuilder builder, string name) =>
            builder.AddResource(new AzureStorageResource(name));

        public static IResourceBuilder<AzureStorageResource> RunAsEmulator(this IResourceBuilder<AzureStorageResource> builder, Action<IResourceBuilder<AzureStorageEmulatorResource>>? configureContainer = null)
        {
            var storage = builder.Resource;
            if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
            {
                return builder;
            }
            storage.Annotations.Add(new EmulatorResourceAnnotation());
            storage.Annotations.Add(new ContainerImageAnnotation { Registry = "mcr.microsoft.com", Image = "azure-storage/azurite", Tag = "3.35.0" });
            storage.Annotations.Add(new EndpointAnnotation(AzureStorageResource.BlobEndpointName, "http", targetPort: 10000));
            storage.Annotations.Add(new LocalServiceAnnotation(new AzuriteLocalService(storage)));
            configureContainer?.Invoke(builder.ApplicationBuilder.CreateResourceBuilder(new AzureStorageEmulatorResource(storage)));
            return builder;
        }

        public static IResourceBuilder<AzureStorageEmulatorResource> WithDataVolume(this IResourceBuilder<AzureStorageEmulatorResource> builder, string? name = null, bool isReadOnly = false) =>
            builder.WithAnnotation(new ContainerMountAnnotation(name ?? VolumeName.Generate(builder, "data"), "/data", ContainerMountType.Volume, isReadOnly));

        public static IResourceBuilder<AzureBlobStorageResource> AddBlobs(this IResourceBuilder<AzureStorageResource> builder, string name)
        {
            var blobs = new AzureBlobStorageResource(name, builder.Resource);
            // No emulator in a deployment and no provisioning here: the deployer supplies a connection string (aspire-manifest.md §6).
            if (!builder.Resource.IsEmulator)
            {
                blobs.Annotations.Add(new ConnectionStringRedirectAnnotation(ParameterResourceBuilderExtensions.CreateConnectionStringParameter(builder.ApplicationBuilder, name)));
            }
            return builder.ApplicationBuilder.AddResource(blobs);
        }
    }

    /// <summary>Azurite's blob service from the repository's node_modules (package.json pins it).</summary>
    internal sealed class AzuriteLocalService(AzureStorageResource storage) : LocalService
    {
        public override IResource Resource => storage;

        // ConnectionStrings:blobs (or :storage, for every blob resource of the account) replaces the emulator.
        public override bool UseExisting()
        {
            var used = false;
            foreach (var blobs in Blobs)
            {
                used |= RedirectToConfiguration(blobs, blobs.Name) || RedirectToConfiguration(blobs, storage.Name);
            }
            return used;
        }

        private IEnumerable<AzureBlobStorageResource> Blobs => Builder.Resources.OfType<AzureBlobStorageResource>().Where(b => b.Parent == storage);

        public override Task<ProcessSpec> PrepareAsync(string dataDirectory, CancellationToken cancellationToken)
        {
            var repositoryRoot = Path.GetFullPath(Path.Combine(Builder.AppHostDirectory, ".."));
            var azurite = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite-blob");
            if (!File.Exists(azurite))
            {
                throw new DistributedApplicationException($"Azurite is not installed: {azurite} is missing. Run the setup script, or `npm install` in {repositoryRoot}.");
            }
            return Task.FromResult(new ProcessSpec(azurite,
                ["--blobHost", "127.0.0.1", "--blobPort", storage.BlobEndpoint.Port.ToString(CultureInfo.InvariantCulture), "--location", dataDirectory, "--skipApiVersionCheck"], dataDirectory)
            {
                // Azurite saves and closes at once on SIGTERM but then lingers until idle sockets time out.
                StopTimeout = TimeSpan.FromSeconds(3),
            });
        }

        public override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
        {
            var blobs = ServiceUri(await BlobConnectionStringAsync(cancellationToken));
            try
            {
                using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
                using var response = await client.GetAsync(blobs, cancellationToken);
                return true; // any HTTP answer (Azurite says 400/403 to an anonymous GET) means it is serving
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        private async Task<string> BlobConnectionStringAsync(CancellationToken cancellationToken)
        {
            var blobs = Blobs.FirstOrDefault();
            return blobs is not null
                ? (await ((IResourceWithConnectionString)blobs).GetConnectionStringAsync(cancellationToken))!
                : (await storage.GetBlobConnectionString().GetValueAsync(cancellationToken))!;
        }

        // A key-based connection string carries BlobEndpoint=; otherwise it is the service URI itself.
        private static Uri ServiceUri(string connectionString) =>
            connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals("BlobEndpoint", StringComparison.OrdinalIgnoreCase)) is { } endpoint
                ? new Uri(endpoint[1].Trim())
                : new Uri(connectionString);
    }
}
