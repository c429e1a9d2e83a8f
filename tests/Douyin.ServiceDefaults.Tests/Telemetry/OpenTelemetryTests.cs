using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Douyin.ServiceDefaults.Tests.Telemetry;

public sealed class OpenTelemetryTests
{
    [Fact]
    public async Task SpanOfARealRequestReachesTheOtlpReceiverAndHealthProbesDoNot()
    {
        // The receiver is an OTLP/HTTP endpoint on HttpListener, not ASP.NET Core: its own server spans would
        // otherwise be seen by the service's tracer (same process) and exported too.
        using var receiver = new OtlpReceiver();

        await using var service = await TestWebApp.StartAsync(
            builder => builder.AddServiceDefaults(),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGet("/traced/{id}", (int id) => $"item {id}");
            },
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "otlp-test-service",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            });

        Assert.NotNull(service.App.Services.GetService<TracerProvider>());
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        Assert.Equal("Healthy", await client.GetStringAsync("/health"));
        Assert.Equal("item 7", await client.GetStringAsync("/traced/7"));

        var exported = await Poll.UntilAsync(() => receiver.Text.Contains("GET /traced/{id}") ? receiver.Text : null);

        // Protobuf carries strings verbatim: the service name from OTEL_SERVICE_NAME and the server span's route.
        Assert.Contains("otlp-test-service", exported);
        Assert.Contains("http.route", exported);
        Assert.DoesNotContain("GET /health", exported);
    }

    [Fact]
    public async Task WithoutACollectorNothingIsRecorded()
    {
        await using var service = await TestWebApp.StartAsync(builder => builder.AddServiceDefaults(), app => app.MapDefaultEndpoints());

        Assert.Null(service.App.Services.GetService<TracerProvider>());
        Assert.Null(service.App.Services.GetService<MeterProvider>());
    }

    sealed class OtlpReceiver : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly ConcurrentQueue<string> _payloads = new();

        public OtlpReceiver()
        {
            Endpoint = $"http://127.0.0.1:{FreePort()}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            _ = Task.Run(ReceiveAsync);
        }

        public string Endpoint { get; }

        public string Text => string.Join('\n', _payloads);

        async Task ReceiveAsync()
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    if (context.Request.Url?.AbsolutePath == "/v1/traces")
                    {
                        using var buffer = new MemoryStream();
                        await context.Request.InputStream.CopyToAsync(buffer);
                        _payloads.Enqueue(Encoding.UTF8.GetString(buffer.ToArray()));
                    }
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception) when (!_listener.IsListening)
                {
                    return;
                }
            }
        }

        static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose() => _listener.Close();
    }
}
