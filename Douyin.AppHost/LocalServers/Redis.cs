using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Douyin.AppHost.LocalServers;

/// <summary>A redis-server with an append-only file under the data folder.</summary>
public sealed class LocalRedisResource(string name, string command, string dataDirectory, ParameterResource password)
    : LocalServerResource(name, command, dataDirectory)
{
    public ParameterResource PasswordParameter { get; } = password;

    // A StackExchange.Redis configuration string, as Aspire.Hosting.Redis gives it: localhost:port,password=...
    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");
}

public static class RedisServerExtensions
{
    /// <summary>A Redis server: <c>ConnectionStrings:{name}</c> if configured, Aspire's redis container when publishing (or with <c>Douyin:Containers</c>), else a local redis-server.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.HasConnectionString(name))
        {
            return builder.AddConnectionString(name);
        }
        if (builder.UsesContainers())
        {
            return builder.AddRedis(name).WithDataVolume();
        }
        var password = builder.AddPassword(name);
        var server = new LocalRedisResource(name, LocalServerExtensions.RequireOnPath("redis-server", "redis-server"), builder.DataDirectory(name), password.Resource);
        return builder.AddLocalServer(server, "tcp", IsHealthyAsync)
            .WithArgs(context =>
            {
                foreach (var argument in new[] { "--bind", "127.0.0.1", "--dir", server.DataDirectory, "--appendonly", "yes", "--port" })
                {
                    context.Args.Add(argument);
                }
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--requirepass");
                context.Args.Add(server.PasswordParameter);
            });
    }

    // AUTH + PING over raw RESP, so the AppHost needs no Redis client.
    private static async Task<bool> IsHealthyAsync(LocalRedisResource server, CancellationToken cancellationToken)
    {
        var password = await server.PasswordParameter.GetValueAsync(cancellationToken) ?? "";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", server.PrimaryEndpoint.Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Resp("AUTH", password) + Resp("PING")), timeout.Token);
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
        $"*{parts.Length.ToString(CultureInfo.InvariantCulture)}\r\n" + string.Concat(parts.Select(p => $"${Encoding.UTF8.GetByteCount(p).ToString(CultureInfo.InvariantCulture)}\r\n{p}\r\n"));
}
