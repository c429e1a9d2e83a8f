using System.Reflection;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

public interface IResourceBuilder<out T> where T : IResource
{
    IDistributedApplicationBuilder ApplicationBuilder { get; }
    T Resource { get; }
    IResourceBuilder<T> WithAnnotation<TAnnotation>(TAnnotation annotation, ResourceAnnotationMutationBehavior behavior = ResourceAnnotationMutationBehavior.Append)
        where TAnnotation : IResourceAnnotation;
}

public enum ResourceAnnotationMutationBehavior { Append, Replace }

public interface IDistributedApplicationBuilder
{
    ConfigurationManager Configuration { get; }
    string AppHostDirectory { get; }
    Assembly? AppHostAssembly { get; }
    IHostEnvironment Environment { get; }
    IServiceCollection Services { get; }
    DistributedApplicationExecutionContext ExecutionContext { get; }
    IResourceCollection Resources { get; }
    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;
    IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource;
    DistributedApplication Build();
}

public enum DistributedApplicationOperation { Run, Publish }

public sealed class DistributedApplicationExecutionContext(DistributedApplicationOperation operation)
{
    public DistributedApplicationOperation Operation { get; } = operation;
    public bool IsRunMode => Operation == DistributedApplicationOperation.Run;
    public bool IsPublishMode => Operation == DistributedApplicationOperation.Publish;
}

public sealed class DistributedApplicationOptions
{
    public string[]? Args { get; set; }
    /// <summary>The AppHost assembly, whose <c>apphostprojectpath</c> metadata locates the AppHost directory. Defaults to the entry assembly.</summary>
    public Assembly? Assembly { get; set; }
}

internal sealed class ResourceBuilder<T>(IDistributedApplicationBuilder applicationBuilder, T resource) : IResourceBuilder<T> where T : IResource
{
    public IDistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;
    public T Resource { get; } = resource;

    public IResourceBuilder<T> WithAnnotation<TAnnotation>(TAnnotation annotation, ResourceAnnotationMutationBehavior behavior = ResourceAnnotationMutationBehavior.Append)
        where TAnnotation : IResourceAnnotation
    {
        if (behavior == ResourceAnnotationMutationBehavior.Replace)
        {
            Resource.Annotations.RemoveAll(a => a is TAnnotation);
        }
        Resource.Annotations.Add(annotation);
        return this;
    }
}

public sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    // Lets DistributedApplicationTestingBuilder run the AppHost's entry point up to Build() (Aspire uses a DiagnosticListener).
    internal static readonly AsyncLocal<IBuilderHook?> Hook = new();

    private readonly HostApplicationBuilder _innerBuilder;
    private readonly ResourceCollection _resources = [];
    private ParameterStore? _parameterStore;

    public DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        // `dotnet run -- --publisher manifest` passes no `--`, but a direct `dotnet Douyin.AppHost.dll -- …` does.
        var args = (options.Args ?? []).Where(a => a != "--").ToArray();
        // Under the testing builder the entry assembly is the test host, so the hook names the AppHost.
        AppHostAssembly = options.Assembly ?? Hook.Value?.AppHostAssembly ?? Assembly.GetEntryAssembly();
        AppHostDirectory = AppHostAssembly?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "apphostprojectpath")?.Value ?? AppContext.BaseDirectory;

        _innerBuilder = new HostApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppHostDirectory,
            ApplicationName = AppHostAssembly?.GetName().Name,
        });
        // Aspire's publishing switches, as azd passes them.
        _innerBuilder.Configuration.AddCommandLine(args, new Dictionary<string, string>
        {
            ["--publisher"] = "Publishing:Publisher",
            ["--output-path"] = "Publishing:OutputPath",
            ["--operation"] = "AppHost:Operation",
        });
        // Stopping children in order (projects, then servers) needs more than the default 30 s in the worst case.
        _innerBuilder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        var publish = Configuration["Publishing:Publisher"] is { Length: > 0 } || string.Equals(Configuration["AppHost:Operation"], "publish", StringComparison.OrdinalIgnoreCase);
        ExecutionContext = new(publish ? DistributedApplicationOperation.Publish : DistributedApplicationOperation.Run);
        Hook.Value?.OnCreated(this);
    }

    public ConfigurationManager Configuration => _innerBuilder.Configuration;
    public string AppHostDirectory { get; }
    public Assembly? AppHostAssembly { get; }
    public IHostEnvironment Environment => _innerBuilder.Environment;
    public IServiceCollection Services => _innerBuilder.Services;
    public DistributedApplicationExecutionContext ExecutionContext { get; }
    public IResourceCollection Resources => _resources;

    /// <summary>Run-mode state (data, generated secrets): <c>AppHost:DataPath</c>, else <c>&lt;repo root&gt;/.douyin</c>.</summary>
    internal string DataPath => Path.GetFullPath(Configuration["AppHost:DataPath"] is { Length: > 0 } path
        ? path
        : Path.Combine(AppHostDirectory, "..", ".douyin"));

    internal ParameterStore ParameterStore => _parameterStore ??= new(Path.Combine(DataPath, "parameters.json"));

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DistributedApplicationException($"Cannot add resource of type '{resource.GetType()}' with name '{resource.Name}' because resource of type '{_resources.First(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)).GetType()}' with that name already exists. Resource names are case-insensitive.");
        }
        _resources.Add(resource);
        return CreateResourceBuilder(resource);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource => new ResourceBuilder<T>(this, resource);

    public DistributedApplication Build()
    {
        Hook.Value?.OnBuilding(this);
        return BuildCore();
    }

    internal DistributedApplication BuildCore()
    {
        _innerBuilder.Services.AddSingleton(new DistributedApplicationModel(_resources));
        _innerBuilder.Services.AddSingleton(ExecutionContext);
        _innerBuilder.Services.AddSingleton<IDistributedApplicationBuilder>(this);
        _innerBuilder.Services.AddSingleton<ResourceNotificationService>();
        _innerBuilder.Services.AddSingleton<ResourceCommandService>();
        _innerBuilder.Services.AddSingleton<ResourceConsole>();
        _innerBuilder.Services.AddSingleton<Orchestrator>();
        _innerBuilder.Services.AddSingleton<Publishing.Publisher>();
        _innerBuilder.Services.AddHostedService(sp => sp.GetRequiredService<Orchestrator>());
        return new DistributedApplication(_innerBuilder.Build());
    }
}

internal interface IBuilderHook
{
    Assembly AppHostAssembly { get; }
    void OnCreated(DistributedApplicationBuilder builder);
    void OnBuilding(DistributedApplicationBuilder builder);
}

public class DistributedApplicationException(string message, Exception? innerException = null) : Exception(message, innerException);
