namespace Douyin.ServiceDefaults.Tests.Infrastructure;

/// <summary>A clock the test moves (Microsoft.Extensions.TimeProvider.Testing is not in our registry).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan delta) => _now += delta;

    public void Set(DateTimeOffset now) => _now = now;
}
