using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Douyin.IntegrationTests.Telemetry;

/// <summary>
/// The whole app with Aspire's dashboard, which the testing builder leaves out by default: the services export to the
/// dashboard's OTLP endpoint as under <c>dotnet run</c>, and the tests read back what it received through its
/// telemetry API (<c>/api/telemetry/spans</c>, which the AppHost enables under <c>AppHost:DashboardApiKey</c>).
/// Its ports are random ones, as every endpoint's under the testing builder, so a developer's AppHost does not clash.
/// The API has no metrics; those are read from the dashboard's pages in a browser, signed in with <see cref="Login"/>.
/// </summary>
public sealed class DashboardAppFixture : IAsyncLifetime
{
    readonly string _dataPath = Directory.CreateTempSubdirectory("douyin-telemetry-test-").FullName;
    /// <summary>The dashboard's resource, as Aspire names it (its KnownResourceNames are internal).</summary>
    public const string DashboardResource = "aspire-dashboard";

    readonly string _apiKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    readonly string _browserToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    DistributedApplication? _app;

    public HttpClient Dashboard { get; private set; } = null!;

    /// <summary>The dashboard's login link (its browser token, ASPIRE_DASHBOARD_FRONTEND_BROWSERTOKEN), as <c>dotnet run</c> prints it.</summary>
    public Uri Login => new(Dashboard.BaseAddress!, $"/login?t={_browserToken}");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>(
            [
                $"--AppHost:DataPath={_dataPath}",
                $"--AppHost:DashboardApiKey={_apiKey}",
                $"--ASPIRE_DASHBOARD_FRONTEND_BROWSERTOKEN={_browserToken}",
            ],
            (options, _) => options.DisableDashboard = false,
            timeout.Token);
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(DashboardResource, timeout.Token);
        Dashboard = new HttpClient { BaseAddress = _app.GetEndpoint(DashboardResource, "http"), Timeout = Timeout.InfiniteTimeSpan };
        Dashboard.DefaultRequestHeaders.Add("x-api-key", _apiKey);
    }

    /// <summary>A client of the edge whose every request carries <paramref name="traceId"/> (W3C traceparent), as a traced caller's would.</summary>
    public HttpClient Web(string traceId)
    {
        var web = _app!.CreateHttpClient("web");
        web.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
        return web;
    }

    public static string NewTraceId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The spans the dashboard holds, then those it receives, as its API streams them (<c>?follow=true</c>): received
    /// until <paramref name="complete"/> holds for them or <paramref name="within"/> has passed, and returned either way,
    /// so that the assertions say what was missing.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedSpan>> SpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> complete, TimeSpan within)
    {
        List<ReceivedSpan> spans = [];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await foreach (var span in FollowAsync(timeout.Token))
            {
                spans.Add(span);
                if (complete(spans))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
        return spans;
    }

    /// <summary>
    /// The spans of one trace the dashboard holds (<c>/api/telemetry/spans?traceId=</c>), asked for again until
    /// <paramref name="complete"/> holds for them or <paramref name="within"/> has passed, and returned either way. Not
    /// the stream: its first answer is a snapshot of a limited number of traces, which a busy app's newest ones fall out of.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedSpan>> TraceAsync(string traceId, Func<IReadOnlyList<ReceivedSpan>, bool> complete, TimeSpan within)
    {
        List<ReceivedSpan> spans = [];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (!complete(spans))
            {
                // The API answers 200 spans unless given a limit.
                using var response = await Dashboard.GetAsync($"/api/telemetry/spans?traceId={traceId}&limit=100000", timeout.Token);
                response.EnsureSuccessStatusCode();
                spans = [.. Parse(JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token))!["data"]!).Where(s => s.TraceId == traceId)];
                if (!complete(spans))
                {
                    // The services export every second or so.
                    await Task.Delay(TimeSpan.FromSeconds(1), timeout.Token);
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
        return spans;
    }

    async IAsyncEnumerable<ReceivedSpan> FollowAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await Dashboard.GetAsync("/api/telemetry/spans?follow=true", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        Assert.Equal(new MediaTypeHeaderValue("application/x-ndjson"), response.Content.Headers.ContentType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            // One span per line.
            foreach (var span in Parse(JsonNode.Parse(line)!))
            {
                yield return span;
            }
        }
    }

    /// <summary>The spans of OTLP/JSON: resourceSpans[].scopeSpans[].spans[].</summary>
    static IEnumerable<ReceivedSpan> Parse(JsonNode otlp)
    {
        foreach (var resource in otlp["resourceSpans"]!.AsArray())
        {
            var service = resource!["resource"]!["attributes"]!.AsArray()
                .Single(a => a!["key"]!.GetValue<string>() == "service.name")!["value"]!["stringValue"]!.GetValue<string>();
            foreach (var scope in resource["scopeSpans"]!.AsArray())
            {
                var scopeName = scope!["scope"]?["name"]?.GetValue<string>() ?? "";
                foreach (var span in scope["spans"]!.AsArray())
                {
                    yield return new ReceivedSpan(
                        service, scopeName, span!["name"]!.GetValue<string>(), (SpanKind)(span["kind"]?.GetValue<int>() ?? 0),
                        span["traceId"]!.GetValue<string>(), span["spanId"]!.GetValue<string>(), span["parentSpanId"]?.GetValue<string>(),
                        [.. (span["links"]?.AsArray() ?? []).Select(l => (l!["traceId"]!.GetValue<string>(), l["spanId"]!.GetValue<string>()))]);
                }
            }
        }
    }

    public async Task DisposeAsync()
    {
        Dashboard?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        Directory.Delete(_dataPath, recursive: true);
    }
}

/// <summary>OTLP's span kinds, as the dashboard's API writes them.</summary>
public enum SpanKind
{
    Unspecified, Internal, Server, Client, Producer, Consumer,
}

/// <summary>One span as the dashboard received it: the service (OTEL_SERVICE_NAME, the resource's name) and scope (ActivitySource) that sent it.</summary>
public sealed record ReceivedSpan(
    string Service, string Scope, string Name, SpanKind Kind, string TraceId, string SpanId, string? ParentSpanId,
    IReadOnlyList<(string TraceId, string SpanId)> Links);
