using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting.ApplicationModel
{
    public class RedisResource : ContainerResource, IResourceWithConnectionString
    {
        internal const string PrimaryEndpointName = "tcp";

        public RedisResource(string name, ParameterResource password) : base(name)
        {
            PasswordParameter = password;
            PrimaryEndpoint = new(this, PrimaryEndpointName);
        }

        public EndpointReference PrimaryEndpoint { get; }
        public ParameterResource PasswordParameter { get; }

        // A StackExchange.Redis configuration string: localhost:port,password=...
        public ReferenceExpression ConnectionStringExpression =>
            ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");
    }
}

namespace Aspire.Hosting
{
    public static class RedisBuilderExtensions
    {
        public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name, int? port = null, IResourceBuilder<ParameterResource>? password = null)
        {
            var passwordParameter = password?.Resource ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
            var redis = new RedisResource(name, passwordParameter);
            redis.Annotations.Add(new ContainerImageAnnotation { Registry = "docker.io", Image = "library/redis", Tag = "8.2" });
            redis.Annotations.Add(new EndpointAnnotation(RedisResource.PrimaryEndpointName, "tcp", port, targetPort: 6379));
            redis.Annotations.Add(new EnvironmentAnnotation("REDIS_PASSWORD", passwordParameter));
            // The redis image has no password variable of its own: Aspire passes it through a shell, the same way.
            redis.Entrypoint = "/bin/sh";
            redis.Annotations.Add(new CommandLineArgsAnnotation(["-c", "redis-server --requirepass $REDIS_PASSWORD"]));
            redis.Annotations.Add(new LocalServiceAnnotation(new RedisLocalService(redis)));
            if (password is null)
            {
                builder.AddResource(passwordParameter);
            }
            return builder.AddResource(redis);
        }

        public static IResourceBuilder<RedisResource> WithDataVolume(this IResourceBuilder<RedisResource> builder, string? name = null, bool isReadOnly = false) =>
            builder.WithAnnotation(new ContainerMountAnnotation(name ?? VolumeName.Generate(builder, "data"), "/data", ContainerMountType.Volume, isReadOnly));
    }

    /// <summary>A local redis-server with an append-only file under the data folder.</summary>
    internal sealed class RedisLocalService(RedisResource redis) : LocalService
    {
        public override IResource Resource => redis;

        public override bool UseExisting() => RedirectToConfiguration(redis, redis.Name);

        public override Task<ProcessSpec> PrepareAsync(string dataDirectory, CancellationToken cancellationToken)
        {
            var redisServer = ProcessSpec.FindOnPath("redis-server") ?? throw new DistributedApplicationException("Redis is not installed: redis-server is not on PATH.");
            return Task.FromResult(new ProcessSpec(redisServer,
                ["--port", redis.PrimaryEndpoint.Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                 "--requirepass", redis.PasswordParameter.Value, "--dir", dataDirectory, "--appendonly", "yes"], dataDirectory));
        }

        // AUTH + PING over raw RESP, so the AppHost needs no Redis client.
        public override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
        {
            var options = (await ((IResourceWithConnectionString)redis).GetConnectionStringAsync(cancellationToken) ?? "").Split(',');
            var hostPort = options[0].Trim();
            var password = options.Select(o => o.Trim()).FirstOrDefault(o => o.StartsWith("password=", StringComparison.OrdinalIgnoreCase))?["password=".Length..];
            var separator = hostPort.LastIndexOf(':');
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                using var client = new TcpClient();
                await client.ConnectAsync(hostPort[..separator], int.Parse(hostPort[(separator + 1)..], CultureInfo.InvariantCulture), timeout.Token);
                var stream = client.GetStream();
                var command = (password is null ? "" : Resp("AUTH", password)) + Resp("PING");
                await stream.WriteAsync(Encoding.UTF8.GetBytes(command), timeout.Token);
                var reply = new StringBuilder();
                var buffer = new byte[256];
                while (!reply.ToString().Contains("+PONG", StringComparison.Ordinal) && !reply.ToString().Contains('-'))
                {
                    var read = await stream.ReadAsync(buffer, timeout.Token);
                    if (read == 0)
                    {
                        break;
                    }
                    reply.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
                return reply.ToString().Contains("+PONG", StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        private static string Resp(params string[] parts) =>
            $"*{parts.Length}\r\n" + string.Concat(parts.Select(p => $"${Encoding.UTF8.GetByteCount(p)}\r\n{p}\r\n"));
    }
}
