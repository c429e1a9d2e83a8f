using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.AppHost;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// A Douyin.Web of its own with the given settings and nothing behind it (unless a setting names a replica): a request
/// that passes the limiter gets the gateway's "unavailable" envelope (503), one that does not gets "too many requests" (429).
/// </summary>
public sealed class EdgeApp : IAsyncDisposable
{
    public const string JwtKey = "rate-limit-test-key-rate-limit-test-key";

    DistributedApplication _app = null!;

    /// <summary>A client of the edge over 127.0.0.1: "localhost" may connect over ::1 or 127.0.0.1, two clients to a per-address limit.</summary>
    public HttpClient Web { get; private set; } = null!;

    public static async Task<EdgeApp> StartAsync(params (string Name, string Value)[] environment)
    {
        var builder = Douyin.Tests.Shared.LocalServer.CreateBuilder();
        // As in the AppHost: the edge sees each client's own address, not the proxy's.
        builder.SkipProxyForSingleReplicas();
        var web = builder.AddProject<Projects.Douyin_Web>("web")
            .WithEnvironment("Jwt__Key", JwtKey)
            .WithEnvironment("ConnectionStrings__blobs", "UseDevelopmentStorage=true")
            .WithHttpHealthCheck("/alive");
        foreach (var (name, value) in environment)
        {
            web.WithEnvironment(name, value);
        }
        // A service the test names no replica for has one that refuses connections: a request fails at once. (With no
        // entry at all, service discovery would pass the bare name "social" on to DNS for every request.)
        var nowhere = $"http://127.0.0.1:{ClosedPort()}";
        foreach (var service in new[] { "social", "feed", "chat" }.Where(s => !environment.Any(e => e.Name == $"services__{s}__http__0")))
        {
            web.WithEnvironment($"services__{service}__http__0", nowhere);
        }
        var edge = new EdgeApp { _app = builder.Build() };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await edge._app.StartAsync(timeout.Token);
        await edge._app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
        edge.Web = new HttpClient { BaseAddress = new UriBuilder(edge._app.GetEndpoint("web")) { Host = "127.0.0.1" }.Uri };
        return edge;
    }

    /// <summary>A plain Kestrel app on a loopback port of its own, to stand behind the edge as a service's replica; its address is <c>Urls.First()</c>.</summary>
    public static async Task<Microsoft.AspNetCore.Builder.WebApplication> StartFakeServiceAsync(Microsoft.AspNetCore.Http.RequestDelegate handler)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseUrls(builder.WebHost, "http://127.0.0.1:0");
        var app = builder.Build();
        Microsoft.AspNetCore.Builder.RunExtensions.Run(app, handler);
        await app.StartAsync();
        return app;
    }

    /// <summary>A loopback port nothing listens on (it was free a moment ago).</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        Web.Dispose();
        await _app.DisposeAsync();
    }
}
