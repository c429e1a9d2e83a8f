using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>Runs a backing service (the stand-in for its container) as a local process under the data folder.</summary>
internal abstract class LocalService
{
    private IDistributedApplicationBuilder? _builder;

    public abstract IResource Resource { get; }

    protected IDistributedApplicationBuilder Builder => _builder ?? throw new InvalidOperationException("The local service has not been initialised.");

    public void Initialize(IDistributedApplicationBuilder builder) => _builder = builder;

    /// <summary>True when the AppHost's configuration names an existing server, which then replaces the process.</summary>
    public abstract bool UseExisting();

    /// <summary>Prepares the data directory (first run: initialise it) and describes the process to start.</summary>
    public abstract Task<ProcessSpec> PrepareAsync(string dataDirectory, CancellationToken cancellationToken);

    public abstract Task<bool> IsHealthyAsync(CancellationToken cancellationToken);

    /// <summary>Runs each time the server becomes healthy (e.g. creates databases).</summary>
    public virtual Task OnHealthyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnStoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Applies the AppHost's <c>ConnectionStrings:*</c> to every local service; returns the resources that an existing server replaces.</summary>
    public static IEnumerable<IResource> UseExistingServers(DistributedApplicationModel model, IDistributedApplicationBuilder builder)
    {
        var existing = new List<IResource>();
        foreach (var service in model.Resources.SelectMany(r => r.Annotations.OfType<LocalServiceAnnotation>()).Select(a => a.Service).ToList())
        {
            service.Initialize(builder);
            if (service.UseExisting())
            {
                existing.Add(service.Resource);
            }
        }
        return existing;
    }

    protected bool RedirectToConfiguration(IResourceWithConnectionString resource, string connectionName)
    {
        if (Builder.Configuration.GetConnectionStringValue(connectionName) is null)
        {
            return false;
        }
        resource.Annotations.Add(new ConnectionStringRedirectAnnotation(ParameterResourceBuilderExtensions.CreateConnectionStringParameter(Builder, connectionName)));
        return true;
    }
}

internal sealed class LocalServiceAnnotation(LocalService service) : IResourceAnnotation
{
    public LocalService Service { get; } = service;
}

internal static class VolumeName
{
    // Aspire's shape: {application}-{hash of the AppHost path}-{resource}-{suffix}, stable per checkout.
    public static string Generate<T>(IResourceBuilder<T> builder, string suffix) where T : IResource
    {
        var application = builder.ApplicationBuilder.Environment.ApplicationName.ToLowerInvariant().Replace('.', '-');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ApplicationBuilder.AppHostDirectory)))[..10];
        return $"{application}-{hash}-{builder.Resource.Name}-{suffix}";
    }
}

internal static class PortAllocator
{
    private static readonly HashSet<int> s_given = [];

    public static int GetFreePort()
    {
        lock (s_given)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (s_given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}

internal sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory)
{
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    // Aspire never passes these AppHost variables on to the processes it starts.
    private static readonly string[] s_scrubbed = ["ASPNETCORE_URLS", "DOTNET_LAUNCH_PROFILE", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"];

    public Dictionary<string, string> Environment { get; init; } = [];
    public int StopSignal { get; init; } = SIGTERM;
    /// <summary>How long the process may take to stop after <see cref="StopSignal"/> before its tree is killed.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>An OS user to switch to when the AppHost runs as root (PostgreSQL refuses root).</summary>
    public string? RunAsUser { get; init; }

    public ProcessStartInfo ToStartInfo()
    {
        // setsid: children get their own session, so a terminal's Ctrl+C reaches only the AppHost, which then
        // stops them in order (projects first). setsid and setpriv both exec, so the PID we hold is the service's.
        var prefix = new List<string>();
        if (FindOnPath("setsid") is { } setsid)
        {
            prefix.Add(setsid);
        }
        if (RunAsUser is not null)
        {
            prefix.AddRange([FindOnPath("setpriv") ?? throw new DistributedApplicationException("setpriv is needed to run as another user."),
                $"--reuid={RunAsUser}", $"--regid={RunAsUser}", "--init-groups", "--"]);
        }
        prefix.Add(FileName);
        var startInfo = new ProcessStartInfo(prefix[0])
        {
            WorkingDirectory = WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in prefix.Skip(1).Concat(Arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var name in s_scrubbed)
        {
            startInfo.Environment.Remove(name);
        }
        foreach (var (name, value) in Environment)
        {
            startInfo.Environment[name] = value;
        }
        return startInfo;
    }

    /// <summary>Runs a short-lived command (initdb, chown) and fails with its output if it fails.</summary>
    public async Task RunToCompletionAsync(CancellationToken cancellationToken, bool throwOnError = true)
    {
        using var process = Process.Start(ToStartInfo())!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (throwOnError && process.ExitCode != 0)
        {
            throw new DistributedApplicationException($"'{FileName} {string.Join(' ', Arguments)}' failed with exit code {process.ExitCode}: {await error}{await output}");
        }
    }

    public static Task RunToCompletionAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        new ProcessSpec(FindOnPath(fileName) ?? fileName, arguments, Path.GetTempPath()).RunToCompletionAsync(cancellationToken);

    public static string? TryRunForOutput(string fileName, IReadOnlyList<string> arguments)
    {
        if (FindOnPath(fileName) is not { } path)
        {
            return null;
        }
        var startInfo = new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : null;
    }

    public static string? FindOnPath(string fileName) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, fileName))
            .FirstOrDefault(File.Exists);
}

/// <summary>A started process whose output goes to the console, prefixed with its resource name.</summary>
internal sealed class ManagedProcess
{
    private readonly Process _process;
    private readonly ProcessSpec _spec;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ManagedProcess(Process process, ProcessSpec spec)
    {
        _process = process;
        _spec = spec;
    }

    public int Id => _process.Id;
    public Task<int> Exited => _exited.Task;
    public bool HasExited => _exited.Task.IsCompleted;

    public static ManagedProcess Start(ProcessSpec spec, string logName, ResourceConsole console)
    {
        var process = new Process { StartInfo = spec.ToStartInfo(), EnableRaisingEvents = true };
        var managed = new ManagedProcess(process, spec);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) console.WriteLine(logName, e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) console.WriteLine(logName, e.Data); };
        // Exited, not WaitForExitAsync: a daemon child (epmd) may keep our output pipes open after the process is gone.
        process.Exited += (_, _) => managed._exited.TrySetResult(process.ExitCode);
        try
        {
            process.Start();
        }
        catch (Exception ex)
        {
            throw new DistributedApplicationException($"Could not start '{spec.FileName}': {ex.Message}", ex);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Asks the process to stop with its stop signal; kills the whole tree after its stop timeout.</summary>
    public async Task StopAsync()
    {
        if (HasExited)
        {
            return;
        }
        _ = Kill(_process.Id, _spec.StopSignal);
        try
        {
            await Exited.WaitAsync(_spec.StopTimeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await Exited;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
