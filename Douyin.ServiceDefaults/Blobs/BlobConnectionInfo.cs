namespace Douyin.ServiceDefaults.Blobs;

/// <summary>
/// Where the Blob service is and how to authenticate, parsed from every connection-string form Aspire
/// emits (aspire-conventions.md §2): a storage connection string (<c>BlobEndpoint=</c> or
/// <c>EndpointSuffix=</c>), <c>UseDevelopmentStorage=true</c>, a bare service URI carrying a SAS query,
/// and the container forms adding <c>ContainerName=</c> and optionally <c>Endpoint=</c>.
/// </summary>
public sealed record BlobConnectionInfo(Uri ServiceUri, StorageSharedKeyCredential? Credential, string? SasToken, string? ContainerName)
{
    // The emulator's well-known account, publicly documented: not a secret.
    const string DevelopmentAccountName = "devstoreaccount1";
    const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static BlobConnectionInfo Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (TryParseHttpUri(connectionString.Trim(), out var uri))
        {
            return FromUri(uri, containerName: null);
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Split on the first '=' only: account keys and SAS tokens contain '='.
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || pair[0].Length == 0)
            {
                throw new FormatException("The blob connection string is neither an absolute URI nor a list of 'Key=Value' pairs.");
            }
            values[pair[0]] = pair[1];
        }
        string? Get(string key) => values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

        var containerName = Get("ContainerName");
        if (Get("Endpoint") is { } endpoint)
        {
            return TryParseHttpUri(endpoint, out var endpointUri)
                ? FromUri(endpointUri, containerName)
                : throw new FormatException("'Endpoint' in the blob connection string must be an absolute http(s) URI.");
        }
        if (Get("UseDevelopmentStorage") is { } development && bool.TryParse(development, out var useDevelopment) && useDevelopment)
        {
            return new(new Uri($"http://127.0.0.1:10000/{DevelopmentAccountName}/"),
                new StorageSharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey), null, containerName);
        }

        var accountName = Get("AccountName");
        Uri serviceUri;
        if (Get("BlobEndpoint") is { } blobEndpoint)
        {
            serviceUri = TryParseHttpUri(blobEndpoint, out var parsed)
                ? WithoutQuery(parsed)
                : throw new FormatException("'BlobEndpoint' in the blob connection string must be an absolute http(s) URI.");
        }
        else
        {
            var protocol = Get("DefaultEndpointsProtocol") ?? "https";
            if (accountName is null || protocol is not ("http" or "https"))
            {
                throw new FormatException("A blob connection string without 'BlobEndpoint' needs 'AccountName' and, if given, 'DefaultEndpointsProtocol' of http or https.");
            }
            serviceUri = new Uri($"{protocol}://{accountName}.blob.{Get("EndpointSuffix") ?? "core.windows.net"}/");
        }

        if (Get("SharedAccessSignature") is { } sas)
        {
            return new(serviceUri, null, sas.TrimStart('?'), containerName);
        }
        return accountName is not null && Get("AccountKey") is { } accountKey
            ? new(serviceUri, new StorageSharedKeyCredential(accountName, accountKey), null, containerName)
            : throw new FormatException("The blob connection string needs 'AccountName' and 'AccountKey', or 'SharedAccessSignature'.");
    }

    // SAS tokens are secrets: keep them out of logs and exception messages.
    public override string ToString() => ServiceUri.AbsoluteUri;

    static BlobConnectionInfo FromUri(Uri uri, string? containerName)
    {
        // Aspire authenticates a bare URI with DefaultAzureCredential; without Azure.Identity only a SAS works.
        if (uri.Query.Length <= 1)
        {
            throw new NotSupportedException(
                $"The blob endpoint '{uri.AbsoluteUri}' has no credential. Azure.Identity is not available, so supply an account key " +
                "(a connection string with AccountName and AccountKey) or a SAS (the URI with its SAS query).");
        }
        return new(WithoutQuery(uri), null, uri.Query.TrimStart('?'), containerName);
    }

    static bool TryParseHttpUri(string value, out Uri uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri!) && uri.Scheme is "http" or "https";

    // Normalised to end with '/' so that container and blob paths can be appended.
    static Uri WithoutQuery(Uri uri)
    {
        var builder = new UriBuilder(uri) { Query = "", Fragment = "" };
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }
        return builder.Uri;
    }
}
