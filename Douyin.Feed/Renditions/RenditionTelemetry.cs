using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Douyin.Feed.Renditions;

/// <summary>
/// The rendition job's spans and metrics. The names match ServiceDefaults' "Douyin.*" source and meter registration,
/// so they reach the dashboard like the other building blocks'.
/// </summary>
public static class RenditionTelemetry
{
    public const string Name = "Douyin.Renditions";

    internal static readonly ActivitySource Source = new(Name);
    static readonly Meter s_meter = new(Name);

    // Jobs waiting in the broker's queue, ready for a consumer (read by RenditionQueueDepth).
    static long s_queued;

    internal static readonly UpDownCounter<int> Running = s_meter.CreateUpDownCounter<int>(
        "douyin.renditions.running", "{rendition}", "Rendition jobs this process is downloading, encoding or storing");

    internal static readonly Counter<long> Completed = s_meter.CreateCounter<long>(
        "douyin.renditions.completed", "{rendition}", "Rendition jobs finished, by outcome (encoded, remuxed, already_stored, failed)");

    internal static readonly Histogram<double> EncodeSeconds = s_meter.CreateHistogram<double>(
        "douyin.renditions.encode.duration", "s", "Time of one ffmpeg run of a rendition");

    internal static readonly ObservableGauge<long> Queued = s_meter.CreateObservableGauge(
        "douyin.renditions.queued", () => Interlocked.Read(ref s_queued), "{rendition}", "Rendition jobs waiting in the queue for a consumer");

    internal static void SetQueued(long count) => Interlocked.Exchange(ref s_queued, count);
}
