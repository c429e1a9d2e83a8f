using System.Xml;
using System.Xml.Linq;

namespace Douyin.ServiceDefaults.Blobs;

/// <summary>An error answered by the Blob service; shaped like Azure.RequestFailedException.</summary>
public sealed class BlobRequestFailedException(int status, string? errorCode, string message) : Exception(message)
{
    /// <summary>The HTTP status code, e.g. 404.</summary>
    public int Status { get; } = status;

    /// <summary>The service's error code, e.g. <c>BlobNotFound</c> or <c>AuthenticationFailed</c>.</summary>
    public string? ErrorCode { get; } = errorCode;

    internal static async Task<BlobRequestFailedException> CreateAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // HEAD responses have no body, so the x-ms-error-code header comes first.
        var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.FirstOrDefault() : null;
        string? detail = null;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (body.TrimStart().StartsWith('<'))
        {
            try
            {
                var error = XDocument.Parse(body).Root;
                code ??= error?.Element("Code")?.Value;
                detail = error?.Element("Message")?.Value;
            }
            catch (XmlException)
            {
                // Not the service's XML (a proxy's page, say): status and reason still tell the story.
            }
        }

        var status = (int)response.StatusCode;
        var request = response.RequestMessage;
        // The path only: the query may hold a SAS.
        var message = $"Blob request {request?.Method} {request?.RequestUri?.AbsolutePath} failed with {status} ({code ?? response.ReasonPhrase})"
            + (detail is null ? "." : $": {detail.Split('\n')[0].Trim()}");
        return new(status, code, message);
    }
}
