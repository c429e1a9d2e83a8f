namespace Douyin.ServiceDefaults.Shutdown;

/// <summary>How a service stops (section <c>Shutdown</c>): first it drains, then the host stops its parts.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long a stopping service keeps serving after its readiness (/health) turned unhealthy: the time the edge's
    /// health checks, or a Kubernetes Service's endpoints, need to stop sending it work.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After the drain, what in-flight requests, consumers and the outbox get before the host gives up.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
