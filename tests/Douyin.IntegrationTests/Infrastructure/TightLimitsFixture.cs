using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Douyin.IntegrationTests.Infrastructure;

/// <summary>
/// The whole app with small limits, so that tests can reach them: a short login window (lockouts end within a test)
/// and few upload slots. The edge's own limits stay off (as in the shared app): what is tested is the services' limits
/// per account and per address, which a carrier NAT must not trip.
/// </summary>
public sealed class TightLimitsFixture : DouyinAppFixture
{
    public const int MaxFailuresPerAccount = 5;
    public const int MaxFailuresPerPrefix = 40;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    public const int MaxConcurrentUploads = 4;
    public const int MaxUnauthenticatedUploadsPerAddress = 2;
    public const int MaxSpoolBytes = 8 * 1024 * 1024;

    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        Project(builder, "social")
            .WithEnvironment("Login__Window", Window.ToString())
            .WithEnvironment("Login__MaxFailuresPerAccount", Invariant(MaxFailuresPerAccount))
            .WithEnvironment("Login__MaxFailuresPerPrefix", Invariant(MaxFailuresPerPrefix));
        Project(builder, "feed")
            .WithEnvironment("Media__MaxConcurrentUploads", Invariant(MaxConcurrentUploads))
            .WithEnvironment("Media__MaxUnauthenticatedUploadsPerAddress", Invariant(MaxUnauthenticatedUploadsPerAddress))
            .WithEnvironment("Media__MaxSpoolBytes", Invariant(MaxSpoolBytes))
            .WithEnvironment("Media__MaxConcurrentToolRuns", "1");
    }

    /// <summary>
    /// A client of the edge from one loopback address. The services see the address the edge saw (X-Forwarded-For),
    /// so 127.0.0.1 and ::1 are two clients to them.
    /// </summary>
    public HttpClient WebFrom(string host) => new() { BaseAddress = WebAddress(host) };

    public Uri WebAddress(string host) => new UriBuilder(App.GetEndpoint("web")) { Host = host }.Uri;

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

[CollectionDefinition(Name)]
public sealed class TightLimitsCollection : ICollectionFixture<TightLimitsFixture>
{
    public const string Name = "Douyin app with tight limits";
}
