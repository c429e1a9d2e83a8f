using Douyin.EventBus.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RabbitMQ.Client;

namespace Douyin.EventBus.Messaging
{
    /// <summary>
    /// The connection Aspire.RabbitMQ.Client registers, asked for without blocking the caller: the package opens it
    /// on first resolution, retrying for up to a minute while the broker is down, so a publish or a consumer waits for
    /// it here with its own token (and deadline) instead, and a failed open is tried again by the next caller. After
    /// the first open, RabbitMQ.Client's automatic recovery keeps the connection.
    /// </summary>
    public sealed class RabbitMQConnectionSource(IServiceProvider services)
    {
        readonly Lock _lock = new();
        Task<IConnection>? _connection;

        public Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken = default)
        {
            Task<IConnection> connection;
            lock (_lock)
            {
                if (_connection is null or { IsFaulted: true } or { IsCanceled: true })
                {
                    _connection = Task.Run(services.GetRequiredService<IConnection>, CancellationToken.None);
                }
                connection = _connection;
            }
            return connection.WaitAsync(cancellationToken);
        }
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class RabbitMQConnectionExtensions
    {
        /// <summary>
        /// Aspire's <c>AddRabbitMQClient</c> (settings from <c>Aspire:RabbitMQ:Client</c>, <c>ConnectionStrings:{name}</c>,
        /// the <c>RabbitMQ.Client</c> health check) with our connection defaults, which the section's
        /// <c>ConnectionFactory</c> keys override, and <see cref="RabbitMQConnectionSource"/>. The connection is not
        /// opened at start-up: a service starts, and answers with clean errors, while the broker is down.
        /// </summary>
        public static void AddRabbitMQConnection(this IHostApplicationBuilder builder, string connectionName)
        {
            if (builder.Services.Any(s => s.ServiceType == typeof(RabbitMQConnectionSource)))
            {
                return;
            }
            var factorySection = builder.Configuration.GetSection("Aspire:RabbitMQ:Client:ConnectionFactory");
            var applicationName = builder.Environment.ApplicationName;
            builder.AddRabbitMQClient(connectionName, settings =>
            {
                settings.DisableAutoActivation = true;
                // ConfigureOpenTelemetry listens to RabbitMQ.Client's sources when a collector is configured; the
                // package's own registration would build a tracer provider even when none is.
                settings.DisableTracing = true;
            }, factory =>
            {
                factory.ClientProvidedName = applicationName;
                factory.AutomaticRecoveryEnabled = true;
                factory.TopologyRecoveryEnabled = true;
                factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
                // Writes are refused until the connection recovers; the default 5 s between attempts added that much to
                // every broker restart (docs/reliability.md).
                factory.NetworkRecoveryInterval = TimeSpan.FromSeconds(1);
                var uri = factory.Uri;
                factorySection.Bind(factory);
                factory.Uri = uri; // the connection string wins over the section, as in the package
            });
            builder.Services.TryAddSingleton<RabbitMQConnectionSource>();
        }
    }
}
