using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Douyin.ServiceDefaults.Blobs;

namespace Douyin.ServiceDefaults.Tests.Infrastructure;

/// <summary>
/// A real Azurite blob emulator (from the repository's npm dev tools) on a free port with a throwaway
/// data folder, shared by the tests of the "Azurite" collection.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    readonly string _dataDirectory = Directory.CreateTempSubdirectory("douyin-azurite-").FullName;
    Process? _process;

    public int Port { get; } = GetFreePort();

    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    /// <summary>Exactly what Aspire's emulator resource puts in <c>ConnectionStrings__blobs</c>.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    public BlobServiceClient CreateServiceClient() => new(ConnectionString);

    public async Task InitializeAsync()
    {
        var executable = Path.Combine(FindRepositoryRoot(), "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite-blob.cmd" : "azurite-blob");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed ({executable} is missing). Run `npm install` in the repository root.");
        }

        _process = Process.Start(new ProcessStartInfo(executable,
            ["--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--location", _dataDirectory, "--skipApiVersionCheck", "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var stderr = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.ReadToEndAsync(); // drained so the pipe never fills

        // Any HTTP answer (even 400 for the bare root) means Azurite is listening.
        using var http = new HttpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode}: {await stderr}");
            }
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{Port}/", timeout.Token);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A port that nothing listens on right now (also handy as a dead endpoint).</summary>
    public static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Douyin.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Douyin.sln above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
