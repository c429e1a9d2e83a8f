using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Douyin.AppHost.LocalServers;

/// <summary>
/// A RabbitMQ node of its own (node name, ports, epmd, cookie and mnesia all under the data folder), started through
/// /usr/lib/rabbitmq/bin/rabbitmq-server because the /usr/sbin wrapper switches to the rabbitmq user.
/// </summary>
public sealed class LocalRabbitMQResource(string name, string command, string dataDirectory, ParameterResource password)
    : LocalServerResource(name, command, dataDirectory)
{
    public const string UserName = "guest";

    public ParameterResource PasswordParameter { get; } = password;

    // What Aspire.Hosting.RabbitMQ gives, and so what Aspire.RabbitMQ.Client reads. The generated password has no special characters, so it needs no escaping.
    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{PasswordParameter}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}

public static class RabbitMQServerExtensions
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>A RabbitMQ broker: <c>ConnectionStrings:{name}</c> if configured, Aspire's rabbitmq container when publishing (or with <c>Douyin:Containers</c>), else a local node.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRabbitMQServer(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.HasConnectionString(name))
        {
            return builder.AddConnectionString(name);
        }
        if (builder.UsesContainers())
        {
            return builder.AddRabbitMQ(name).WithDataVolume();
        }
        if (!File.Exists(ServerScript))
        {
            throw new DistributedApplicationException($"RabbitMQ is not installed: {ServerScript} is missing (Debian package rabbitmq-server; ./eng/setup.sh installs it).");
        }
        var password = builder.AddPassword(name);
        var server = new LocalRabbitMQResource(name, ServerScript, builder.DataDirectory(name), password.Resource);
        var configFile = Path.Combine(server.DataDirectory, "rabbitmq.conf");
        var pluginsFile = Path.Combine(server.DataDirectory, "enabled_plugins");
        // The same epmd port for every start, so that a restarted node finds (and the stop below ends) its own epmd.
        var epmdPort = LocalServerExtensions.FreePort().ToString(CultureInfo.InvariantCulture);
        var nodeHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(server.DataDirectory)))[..8];
        return builder.AddLocalServer(server, "tcp", IsHealthyAsync)
            .WithEnvironment("RABBITMQ_NODENAME", $"douyin-{nodeHash}@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", server.PrimaryEndpoint.Property(EndpointProperty.TargetPort))
            .WithEnvironment("RABBITMQ_DIST_PORT", LocalServerExtensions.FreePort().ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("ERL_EPMD_PORT", epmdPort)
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(server.DataDirectory, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(server.DataDirectory, "log"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", configFile)
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", pluginsFile)
            .WithEnvironment("HOME", server.DataDirectory) // the Erlang cookie lives here
            .OnBeforeResourceStarted(async (_, _, cancellationToken) =>
            {
                await File.WriteAllLinesAsync(configFile,
                [
                    $"listeners.tcp.1 = 127.0.0.1:{server.PrimaryEndpoint.Port.ToString(CultureInfo.InvariantCulture)}",
                    $"default_user = {LocalRabbitMQResource.UserName}",
                    $"default_pass = {await server.PasswordParameter.GetValueAsync(cancellationToken)}",
                    "loopback_users = none",
                    "log.console = true",
                    "log.console.level = info",
                ], cancellationToken);
                await File.WriteAllTextAsync(pluginsFile, "[].", cancellationToken);
            })
            // The node's epmd daemonises, so it outlives the process dcp stops: end it with the node and with the AppHost.
            .OnResourceStopped((_, _, _) => Task.Run(() => StopEpmd(epmdPort)))
            .OnBeforeResourceStarted((_, @event, _) =>
            {
                @event.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => StopEpmd(epmdPort));
                return Task.CompletedTask;
            });
    }

    private static void StopEpmd(string port)
    {
        if (LocalServerExtensions.FindOnPath("epmd") is { } epmd)
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(epmd, ["-port", port, "-kill"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    private static async Task<bool> IsHealthyAsync(LocalRabbitMQResource server, CancellationToken cancellationToken)
    {
        try
        {
            var factory = new ConnectionFactory
            {
                Uri = new Uri((await server.ConnectionStringExpression.GetValueAsync(cancellationToken))!),
                RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
                AutomaticRecoveryEnabled = false,
            };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            return connection.IsOpen;
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
