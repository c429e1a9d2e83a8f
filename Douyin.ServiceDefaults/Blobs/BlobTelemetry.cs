using System.Diagnostics;

namespace Douyin.ServiceDefaults.Blobs;

/// <summary>Tracing for the blob clients: one span per client operation, named <c>Client.Operation</c>.</summary>
public static class BlobTelemetry
{
    /// <summary>The ActivitySource name to pass to <c>TracerProviderBuilder.AddSource</c>.</summary>
    public const string ActivitySourceName = "Douyin.Blobs";

    static readonly ActivitySource _source = new(ActivitySourceName);

    internal static async Task<T> TraceAsync<T>(string operation, string? container, string? blob, Func<Task<T>> action)
    {
        // StartActivity returns null unless a listener samples this span, so unsampled calls cost nothing.
        using var activity = _source.StartActivity(operation);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("az.namespace", "Microsoft.Storage");
            activity.SetTag("blob.container", container);
            activity.SetTag("blob.name", blob);
        }
        try
        {
            return await action();
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity.SetTag("error.type", (ex as BlobRequestFailedException)?.ErrorCode ?? ex.GetType().FullName);
            throw;
        }
    }
}
