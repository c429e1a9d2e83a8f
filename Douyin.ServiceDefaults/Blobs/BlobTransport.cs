using System.Globalization;

namespace Douyin.ServiceDefaults.Blobs;

/// <summary>Addresses, authenticates and sends Blob REST requests; turns service errors into exceptions.</summary>
internal sealed class BlobTransport(BlobConnectionInfo connection, TimeProvider timeProvider)
{
    // Recent enough for every operation used here, and accepted by Azurite 3.37 without --skipApiVersionCheck.
    public const string ApiVersion = "2025-01-05";

    // One pooled client for all storage traffic, as the Azure SDK does. It deliberately bypasses
    // IHttpClientFactory: the app-wide HttpClient defaults (standard resilience with short attempt
    // timeouts and retries) do not fit multi-megabyte blocks and long streamed downloads.
    static readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

    /// <param name="path">Already escaped, relative to the service URI (e.g. <c>videos/a%20b.mp4</c>).</param>
    public Uri GetUri(string path, string? query = null)
    {
        var fullQuery = string.Join('&', new[] { query, connection.SasToken }.Where(q => !string.IsNullOrEmpty(q)));
        return new Uri(connection.ServiceUri.AbsoluteUri + path + (fullQuery.Length > 0 ? "?" + fullQuery : ""));
    }

    public HttpRequestMessage CreateRequest(HttpMethod method, string path, string? query = null) => new(method, GetUri(path, query));

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken,
        HttpCompletionOption completionOption = HttpCompletionOption.ResponseContentRead)
    {
        request.Headers.Add("x-ms-version", ApiVersion);
        request.Headers.Add("x-ms-date", timeProvider.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
        if (connection.Credential is { } credential)
        {
            request.Headers.Authorization = new("SharedKey", credential.GetAuthorizationParameter(request));
        }

        var response = await _http.SendAsync(request, completionOption, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await BlobRequestFailedException.CreateAsync(response, cancellationToken);
        }
    }
}
