using Microsoft.AspNetCore.Http;

namespace Douyin.ServiceDefaults;

/// <summary>The readiness and liveness paths that MapDefaultEndpoints serves; traces and rate limits leave them alone.</summary>
public static class HealthProbes
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    public static bool IsProbe(PathString path) => path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);
}
