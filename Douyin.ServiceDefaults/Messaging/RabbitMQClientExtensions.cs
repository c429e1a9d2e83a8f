using Douyin.ServiceDefaults.Hosting;
using System.Net.Sockets;
using Douyin.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Douyin.ServiceDefaults.Messaging
{
    /// <summary>Aspire.RabbitMQ.Client's settings (shared/design/aspire-conventions.md §5.3).</summary>
    public sealed class RabbitMQClientSettings : Douyin.ServiceDefaults.Hosting.IConnectionStringSettings
    {
        public string? ConnectionString { get; set; }
        public int MaxConnectRetryCount { get; set; } = 5;
        public bool DisableHealthChecks { get; set; }
    }

    /// <summary>
    /// Opens the one shared connection on first use, with Aspire's retry, so start-up never blocks on the broker
    /// and a caller can fail fast (with its own token) while the broker is down. After the first open,
    /// RabbitMQ.Client's automatic recovery takes over.
    /// </summary>
    public sealed class RabbitMQConnectionSource(IConnectionFactory factory, RabbitMQClientSettings settings, ILogger<RabbitMQConnectionSource> logger)
        : IAsyncDisposable
    {
        readonly SemaphoreSlim _gate = new(1, 1);
        IConnection? _connection;

        public async Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken = default)
        {
            if (_connection is { } open)
            {
                return open;
            }

            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (_connection is null)
                {
                    var retry = new ResiliencePipelineBuilder()
                        .AddRetry(new RetryStrategyOptions
                        {
                            ShouldHandle = new PredicateBuilder().Handle<SocketException>().Handle<BrokerUnreachableException>(),
                            BackoffType = DelayBackoffType.Exponential,
                            MaxRetryAttempts = settings.MaxConnectRetryCount,
                            Delay = TimeSpan.FromSeconds(1),
                            OnRetry = args =>
                            {
                                logger.LogWarning(args.Outcome.Exception, "RabbitMQ connect attempt {Attempt} failed", args.AttemptNumber + 1);
                                return ValueTask.CompletedTask;
                            },
                        })
                        .Build();
                    _connection = await retry.ExecuteAsync(async ct => await factory.CreateConnectionAsync(ct), cancellationToken);
                }
                return _connection;
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is { } connection)
            {
                await connection.CloseAsync();
                connection.Dispose();
            }
            _gate.Dispose();
        }
    }

    internal sealed class RabbitMQHealthCheck(RabbitMQConnectionSource source) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var connection = await source.GetConnectionAsync(cancellationToken);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "RabbitMQ is unreachable.", ex);
            }
        }
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class RabbitMQClientExtensions
    {
        /// <summary>
        /// Aspire's <c>AddRabbitMQClient</c>: an <see cref="IConnectionFactory"/> from <c>ConnectionStrings:{name}</c>,
        /// the shared <see cref="IConnection"/> (opened lazily through <see cref="RabbitMQConnectionSource"/>) and a
        /// health check named <c>RabbitMQ.Client</c>.
        /// </summary>
        public static void AddRabbitMQClient(this IHostApplicationBuilder builder, string connectionName, Action<RabbitMQClientSettings>? configureSettings = null)
        {
            var section = builder.Configuration.GetSection("Aspire:RabbitMQ:Client");
            var settings = ClientSettings.Bind(builder, section.Path, connectionName, configureSettings);
            if (string.IsNullOrWhiteSpace(settings.ConnectionString))
            {
                throw ClientSettings.Missing("RabbitMQ", connectionName);
            }

            var applicationName = builder.Environment.ApplicationName;
            builder.Services.TryAddSingleton(settings);
            builder.Services.TryAddSingleton<IConnectionFactory>(_ =>
            {
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(settings.ConnectionString),
                    ClientProvidedName = applicationName,
                    AutomaticRecoveryEnabled = true,
                    TopologyRecoveryEnabled = true,
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                    // Writes are refused until the connection recovers; the default 5 s between attempts added that much
                    // to every broker restart (docs/reliability.md).
                    NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
                };
                section.GetSection("ConnectionFactory").Bind(factory);
                return factory;
            });
            builder.Services.TryAddSingleton<RabbitMQConnectionSource>();
            // Aspire registers the connection itself; resolving it blocks until the broker answers.
            builder.Services.TryAddSingleton(sp => sp.GetRequiredService<RabbitMQConnectionSource>().GetConnectionAsync().GetAwaiter().GetResult());

            if (!settings.DisableHealthChecks)
            {
                builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                    "RabbitMQ.Client",
                    sp => new RabbitMQHealthCheck(sp.GetRequiredService<RabbitMQConnectionSource>()),
                    failureStatus: null,
                    tags: ["ready"],
                    timeout: TimeSpan.FromSeconds(5)));
            }
        }
    }
}
