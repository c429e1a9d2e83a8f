using Microsoft.Extensions.Hosting;

namespace Douyin.EventBus.Messaging;

/// <summary>
/// A <see cref="BackgroundService"/> whose work in flight outlives the host's stop signal. <c>stoppingToken</c> says
/// "take no new work" (a consumer cancels its subscription); <see cref="Abandoned"/>, which the work in flight runs
/// under, fires only when the host's stop timeout has run out (Shutdown:StopTimeout), so a handler or batch that was
/// running when the host stopped finishes and is acknowledged, and one that cannot finish in time is cancelled and left
/// unacknowledged for the broker to redeliver.
/// </summary>
public abstract class DrainingBackgroundService : BackgroundService
{
    readonly CancellationTokenSource _abandoned = new();

    /// <summary>Cancelled once the host gives up waiting for this service to stop.</summary>
    protected CancellationToken Abandoned => _abandoned.Token;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host's token is cancelled when its ShutdownTimeout has elapsed: the in-flight work gives up then, not now.
        using (cancellationToken.Register(_abandoned.Cancel))
        {
            await base.StopAsync(cancellationToken);
        }
    }

    public override void Dispose()
    {
        _abandoned.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }
}
