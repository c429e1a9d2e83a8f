using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using RabbitMQ.Client;

namespace Aspire.Hosting.ApplicationModel
{
    public class RabbitMQServerResource : ContainerResource, IResourceWithConnectionString
    {
        internal const string PrimaryEndpointName = "tcp";

        public RabbitMQServerResource(string name, ParameterResource? userName, ParameterResource password) : base(name)
        {
            UserNameParameter = userName;
            PasswordParameter = password;
            PrimaryEndpoint = new(this, PrimaryEndpointName);
        }

        public EndpointReference PrimaryEndpoint { get; }
        public ParameterResource? UserNameParameter { get; }
        public ParameterResource PasswordParameter { get; }

        // The password is generated without special characters, so it needs no URI encoding (aspire-manifest.md §6).
        public ReferenceExpression ConnectionStringExpression
        {
            get
            {
                var builder = new ReferenceExpressionBuilder();
                builder.AppendLiteral("amqp://");
                if (UserNameParameter is null)
                {
                    builder.AppendLiteral("guest");
                }
                else
                {
                    builder.AppendValueProvider(UserNameParameter);
                }
                builder.AppendLiteral(":");
                builder.AppendValueProvider(PasswordParameter);
                builder.AppendLiteral("@");
                builder.AppendValueProvider(PrimaryEndpoint.Property(EndpointProperty.HostAndPort));
                return builder.Build();
            }
        }
    }
}

namespace Aspire.Hosting
{
    public static class RabbitMQBuilderExtensions
    {
        public static IResourceBuilder<RabbitMQServerResource> AddRabbitMQ(this IDistributedApplicationBuilder builder, string name,
            IResourceBuilder<ParameterResource>? userName = null, IResourceBuilder<ParameterResource>? password = null, int? port = null)
        {
            var passwordParameter = password?.Resource ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
            var rabbitmq = new RabbitMQServerResource(name, userName?.Resource, passwordParameter);
            rabbitmq.Annotations.Add(new ContainerImageAnnotation { Registry = "docker.io", Image = "library/rabbitmq", Tag = "4.1" });
            rabbitmq.Annotations.Add(new EndpointAnnotation(RabbitMQServerResource.PrimaryEndpointName, "tcp", port, targetPort: 5672));
            rabbitmq.Annotations.Add(new EnvironmentAnnotation("RABBITMQ_DEFAULT_USER", userName?.Resource is { } user ? user : "guest"));
            rabbitmq.Annotations.Add(new EnvironmentAnnotation("RABBITMQ_DEFAULT_PASS", passwordParameter));
            rabbitmq.Annotations.Add(new LocalServiceAnnotation(new RabbitMQLocalService(rabbitmq)));
            if (password is null)
            {
                builder.AddResource(passwordParameter);
            }
            return builder.AddResource(rabbitmq);
        }

        public static IResourceBuilder<RabbitMQServerResource> WithDataVolume(this IResourceBuilder<RabbitMQServerResource> builder, string? name = null, bool isReadOnly = false) =>
            builder.WithAnnotation(new ContainerMountAnnotation(name ?? VolumeName.Generate(builder, "data"), "/var/lib/rabbitmq", ContainerMountType.Volume, isReadOnly));
    }

    /// <summary>
    /// A RabbitMQ node of its own (node name, ports, epmd, cookie and mnesia all under the data folder), started through
    /// /usr/lib/rabbitmq/bin/rabbitmq-server because the /usr/sbin wrapper switches to the rabbitmq user.
    /// </summary>
    internal sealed class RabbitMQLocalService(RabbitMQServerResource rabbitmq) : LocalService
    {
        private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
        private int _epmdPort;

        public override IResource Resource => rabbitmq;

        public override bool UseExisting() => RedirectToConfiguration(rabbitmq, rabbitmq.Name);

        public override async Task<ProcessSpec> PrepareAsync(string dataDirectory, CancellationToken cancellationToken)
        {
            if (!File.Exists(ServerScript))
            {
                throw new DistributedApplicationException($"RabbitMQ is not installed: {ServerScript} is missing (Debian package rabbitmq-server).");
            }
            // Kept across restarts of the resource so the port recorded by a stray epmd is still ours to stop.
            _epmdPort = _epmdPort != 0 ? _epmdPort : PortAllocator.GetFreePort();
            var port = rabbitmq.PrimaryEndpoint.Port.ToString(CultureInfo.InvariantCulture);
            var configFile = Path.Combine(dataDirectory, "rabbitmq.conf");
            var pluginsFile = Path.Combine(dataDirectory, "enabled_plugins");
            await File.WriteAllLinesAsync(configFile,
            [
                $"listeners.tcp.1 = 127.0.0.1:{port}",
                $"default_user = {rabbitmq.UserNameParameter?.Value ?? "guest"}",
                $"default_pass = {rabbitmq.PasswordParameter.Value}",
                "loopback_users = none",
                "log.console = true",
                "log.console.level = info",
            ], cancellationToken);
            await File.WriteAllTextAsync(pluginsFile, "[].", cancellationToken);
            var nodeHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..8];
            return new ProcessSpec(ServerScript, [], dataDirectory)
            {
                Environment =
                {
                    ["RABBITMQ_NODENAME"] = $"douyin-{nodeHash}@localhost",
                    ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
                    ["RABBITMQ_NODE_PORT"] = port,
                    ["RABBITMQ_DIST_PORT"] = PortAllocator.GetFreePort().ToString(CultureInfo.InvariantCulture),
                    ["ERL_EPMD_PORT"] = _epmdPort.ToString(CultureInfo.InvariantCulture),
                    ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dataDirectory, "mnesia"),
                    ["RABBITMQ_LOG_BASE"] = Path.Combine(dataDirectory, "log"),
                    ["RABBITMQ_CONFIG_FILE"] = configFile,
                    ["RABBITMQ_ENABLED_PLUGINS_FILE"] = pluginsFile,
                    ["HOME"] = dataDirectory, // the Erlang cookie lives here
                },
            };
        }

        public override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
        {
            try
            {
                var factory = new ConnectionFactory
                {
                    Uri = new Uri((await ((IResourceWithConnectionString)rabbitmq).GetConnectionStringAsync(cancellationToken))!),
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

        // The node's epmd daemonises, so it is not in the process tree we stop.
        public override async Task OnStoppedAsync(CancellationToken cancellationToken)
        {
            if (_epmdPort != 0 && ProcessSpec.FindOnPath("epmd") is { } epmd)
            {
                await new ProcessSpec(epmd, ["-kill"], Path.GetTempPath())
                {
                    Environment = { ["ERL_EPMD_PORT"] = _epmdPort.ToString(CultureInfo.InvariantCulture) },
                }.RunToCompletionAsync(cancellationToken, throwOnError: false);
            }
        }
    }
}
