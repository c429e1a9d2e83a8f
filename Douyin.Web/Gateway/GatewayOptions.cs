namespace Douyin.Web.Gateway;

public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>The largest body of any other request (the API's actions are form fields of a few hundred bytes).</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>How long an upstream may take to start answering; uploads of large videos need minutes.</summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The largest publish request forwarded to Feed: Feed's video limit (Media:MaxVideoBytes, 200 MB) plus room for the
    /// other parts. Kestrel enforces it on that path only; every other path keeps Kestrel's default.
    /// </summary>
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024 + 64 * 1024;
}
