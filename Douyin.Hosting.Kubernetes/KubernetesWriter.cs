using System.Globalization;
using System.Reflection;
using YamlDotNet.Serialization;

namespace Douyin.Hosting.Kubernetes;

/// <summary>
/// Writes plain Kubernetes YAML for kustomize (<c>kubectl apply -k</c>): per project a Deployment, a Service, a
/// PodDisruptionBudget, a NetworkPolicy and, when configured, a HorizontalPodAutoscaler and an Ingress; per backing container a
/// StatefulSet, a Service and a NetworkPolicy; one OTLP ConfigMap. Every pod runs unprivileged on a read-only root. Expressions
/// resolve to in-cluster values (<c>{feed.bindings.http.url}</c> → <c>http://feed:8080</c>); any value with a secret part is a
/// <c>secretKeyRef</c> into the <c>douyin-secrets</c> Secret, which the operator creates (the generated README.md says how).
/// </summary>
internal sealed class KubernetesWriter(
    DistributedApplicationModel model, IConfiguration configuration, DistributedApplicationExecutionContext executionContext, Assembly? appHostAssembly)
{
    public const string SecretName = "douyin-secrets";
    public const string OtelConfigMapName = "douyin-otel";
    // What .NET images listen on (HTTP_PORTS), and so what project Services expose.
    private const int ProjectPort = 8080;
    // The unprivileged user of the .NET base images (APP_UID), which PublishContainer images run as.
    private const int ProjectUser = 1654;
    // Room in /tmp for what the services write there: spooled request bodies, Feed's uploads and ffmpeg's covers.
    private const string TempSize = "2Gi";
    private const string DefaultIngressNetwork = "10.0.0.0/8";
    private const string DefaultIngressNamespace = "ingress-nginx";

    // The official images' own unprivileged user, where each writes outside its data volume, and what it needs told.
    private static readonly Dictionary<string, (int User, string[] Writable, (string Name, string Value)[] Environment)> s_backingImages = new()
    {
        // The volume's root is mounted (a subPath directory would be root's, and unwritable for these users), and the data
        // lives in its "data" directory, where the earlier subPath mount kept it: an upgraded deployment finds its
        // database and queues where they were. (A fresh volume's root also holds lost+found, which initdb refuses.)
        ["library/postgres"] = (999, ["/tmp", "/var/run/postgresql"], [("PGDATA", "/var/lib/postgresql/data/data")]),
        // Redis is a cache: its snapshot moves to the volume's root, and what it held is rebuilt from PostgreSQL.
        ["library/redis"] = (999, ["/tmp"], []),
        ["library/rabbitmq"] = (999, ["/tmp"], [("RABBITMQ_MNESIA_BASE", "/var/lib/rabbitmq/data/mnesia")]),
    };
    private static readonly ISerializer s_yaml = new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build();

    // Secret key → its value with ${INPUT} for each secret part; input → how to choose it (a generated default, or supplied).
    private readonly SortedDictionary<string, string> _secretKeys = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ParameterResource> _inputs = new(StringComparer.Ordinal);

    /// <summary>
    /// How a pod stops (docs/reliability.md, "Stopping a service on purpose"), in seconds. The kubelet runs the preStop
    /// sleep while the Service's endpoints and kube-proxy stop sending the terminating pod work, then sends SIGTERM; the
    /// service turns unready and serves on for the drain delay (the edge's own probes take it out), then stops its parts
    /// within the stop timeout; the grace period covers the three and a margin, after which the kubelet kills it.
    /// </summary>
    private sealed record StopTimes(int PreStop, int DrainDelay, int StopTimeout, int Margin)
    {
        public int GracePeriod => PreStop + DrainDelay + StopTimeout + Margin;
    }

    private StopTimes Stop => new(Seconds("PreStopSeconds", 5), Seconds("DrainDelaySeconds", 5), Seconds("StopTimeoutSeconds", 15), Seconds("StopMarginSeconds", 5));

    private int Seconds(string key, int defaultValue) => configuration.GetValue($"Publishing:{key}", defaultValue) is var seconds and >= 0
        ? seconds
        : throw new DistributedApplicationException($"Publishing:{key} must be a whole number of seconds, 0 or more.");

    private string IngressNetwork => configuration["Publishing:IngressNetwork"] ?? DefaultIngressNetwork;
    private string IngressNamespace => configuration["Publishing:IngressNamespace"] ?? DefaultIngressNamespace;

    public async Task<string> WriteAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var files = new List<string>();
        async Task WriteAsync(string file, IEnumerable<object> objects)
        {
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, file), string.Join("---\n", objects.Select(s_yaml.Serialize)), cancellationToken);
            files.Add(file);
        }

        await WriteAsync("otel-config.yaml", [OtelConfigMap()]);
        foreach (var resource in model.Resources)
        {
            var objects = resource switch
            {
                ProjectResource project => await ProjectAsync(project, cancellationToken),
                ContainerResource container => await BackingAsync(container, cancellationToken),
                // Parameters, databases and supplied (managed) services have no workload: their values live in the Secret.
                _ => [],
            };
            if (objects.Count > 0)
            {
                await WriteAsync($"{resource.Name}.yaml", objects);
            }
        }
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "kustomization.yaml"),
            s_yaml.Serialize(Map(("apiVersion", "kustomize.config.k8s.io/v1beta1"), ("kind", "Kustomization"), ("resources", files))), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "README.md"), SecretInstructions(), cancellationToken);
        return outputDirectory;
    }

    private async Task<List<object>> ProjectAsync(ProjectResource project, CancellationToken cancellationToken)
    {
        var name = project.Name;
        var variables = await EnvironmentAsync(project, cancellationToken);
        // The model probes /health, and ServiceDefaults maps it outside Development only when asked.
        var probed = project.Annotations.OfType<HealthCheckAnnotation>().Any();
        if (probed)
        {
            variables["HealthChecks__Expose"] = "true";
        }
        // TLS ends at the Ingress: inside the cluster services speak plain HTTP, so https addresses are left out.
        var environment = variables.Where(v => v.Value is not EndpointReference { Scheme: "https" }).Select(v => EnvironmentVariable(v.Key, v.Value)).ToList();
        environment.Add(EnvironmentVariable("OTEL_SERVICE_NAME", name));
        // Absolute media and image URLs name the public host, not whatever Host header reached the pod.
        if (configuration["Publishing:Host"] is { Length: > 0 } host)
        {
            environment.Add(EnvironmentVariable("Douyin__PublicBaseUrl", $"https://{host}"));
        }
        // The service's own drain and stop (ShutdownOptions) from the numbers the grace period is made of.
        var stop = Stop;
        environment.Add(EnvironmentVariable("Shutdown__DrainDelay", TimeSpan.FromSeconds(stop.DrainDelay).ToString("c", CultureInfo.InvariantCulture)));
        environment.Add(EnvironmentVariable("Shutdown__StopTimeout", TimeSpan.FromSeconds(stop.StopTimeout).ToString("c", CultureInfo.InvariantCulture)));
        var external = project.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal);
        if (external)
        {
            // Behind the Ingress: X-Forwarded-* are believed only from the ingress controller's network.
            environment.Add(EnvironmentVariable("ForwardedHeaders__KnownNetworks__0", IngressNetwork));
        }

        var container = Map(("name", name), ("image", ProjectImage(project)), ("ports", new[] { Map(("name", "http"), ("containerPort", ProjectPort)) }),
            ("env", environment), ("envFrom", new[] { Map(("configMapRef", Map(("name", OtelConfigMapName)))) }),
            ("resources", Resources("100m", "256Mi", "1", "512Mi")), ("securityContext", ContainerSecurity()),
            ("volumeMounts", new[] { Map(("name", "tmp"), ("mountPath", "/tmp")) }));
        if (probed)
        {
            // Ready once dependencies answer (/health); alive while the process is responsive (/alive). Startup allows for migrations.
            container["startupProbe"] = HttpProbe("/alive", periodSeconds: 5, failureThreshold: 30);
            container["readinessProbe"] = HttpProbe("/health", periodSeconds: 10, failureThreshold: 3);
            container["livenessProbe"] = HttpProbe("/alive", periodSeconds: 10, failureThreshold: 3);
        }
        if (stop.PreStop > 0)
        {
            // The kubelet's own sleep (Kubernetes 1.30+): the .NET images have no shell to run `sleep` in.
            container["lifecycle"] = Map(("preStop", Map(("sleep", Map(("seconds", stop.PreStop))))));
        }
        var workload = Workload("Deployment", name, project.GetReplicaCount(), container, PodSecurity(ProjectUser, fsGroup: false), [EmptyDir("tmp", TempSize)],
            terminationGracePeriodSeconds: stop.GracePeriod);
        var objects = new List<object> { workload, Service(name, [("http", ProjectPort)]) };
        var minReplicas = project.GetReplicaCount();
        if (configuration.GetSection($"Publishing:Autoscale:{name}") is { } autoscale && autoscale.Exists())
        {
            minReplicas = autoscale.GetValue("MinReplicas", minReplicas);
            objects.Add(Autoscaler(name, minReplicas, autoscale.GetValue<int>("MaxReplicas"), autoscale.GetValue("CpuPercent", 70)));
        }
        objects.Add(DisruptionBudget(name, minReplicas));
        var from = Callers(project);
        if (external)
        {
            objects.Add(Ingress(name));
            from.Add(Map(("namespaceSelector", Map(("matchLabels", Map(("kubernetes.io/metadata.name", IngressNamespace)))))));
        }
        objects.Add(NetworkPolicy(name, [ProjectPort], from));
        return objects;
    }

    private async Task<List<object>> BackingAsync(ContainerResource resource, CancellationToken cancellationToken)
    {
        var name = resource.Name;
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        var volumes = resource.Annotations.OfType<ContainerMountAnnotation>().Where(m => m.Type == ContainerMountType.Volume).ToList();
        var image = resource.TryGetLastAnnotation<ContainerImageAnnotation>(out var imageAnnotation) && s_backingImages.TryGetValue(imageAnnotation.Image, out var known)
            ? known
            : throw new DistributedApplicationException($"The Kubernetes publisher knows no unprivileged user for the image of '{name}'.");
        var container = Map(("name", name), ("image", ContainerImage(resource)));
        if (resource.Entrypoint is { } entrypoint)
        {
            container["command"] = new[] { entrypoint };
        }
        if (await ArgumentsAsync(resource, cancellationToken) is { Count: > 0 } args)
        {
            container["args"] = args.Select(a => Resolve(a, [])).ToList();
        }
        container["ports"] = endpoints.Select(e => Map(("name", e.Name), ("containerPort", TargetPort(e)))).ToList();
        container["env"] = (await EnvironmentAsync(resource, cancellationToken)).Select(e => EnvironmentVariable(e.Key, e.Value))
            .Concat(image.Environment.Select(e => EnvironmentVariable(e.Name, e.Value))).ToList();
        container["readinessProbe"] = Map(("tcpSocket", Map(("port", endpoints[0].Name))), ("periodSeconds", 10));
        container["resources"] = Resources("250m", "256Mi", "1", "1Gi");
        container["securityContext"] = ContainerSecurity();
        container["volumeMounts"] = volumes.Select((v, i) => Map(("name", $"data-{i}"), ("mountPath", v.Target), ("readOnly", v.IsReadOnly)))
            .Concat(image.Writable.Select((path, i) => Map(("name", $"scratch-{i}"), ("mountPath", path)))).ToList();

        var statefulSet = Workload("StatefulSet", name, 1, container, PodSecurity(image.User, fsGroup: true),
            [.. image.Writable.Select((_, i) => EmptyDir($"scratch-{i}", sizeLimit: null))]);
        var spec = (Dictionary<string, object>)statefulSet["spec"];
        spec["serviceName"] = name;
        spec["volumeClaimTemplates"] = volumes.Select((_, i) => Map(("metadata", Map(("name", $"data-{i}"))),
            ("spec", Map(("accessModes", new[] { "ReadWriteOnce" }), ("resources", Map(("requests", Map(("storage", "8Gi"))))))))).ToList();
        return
        [
            statefulSet,
            Service(name, [.. endpoints.Select(e => (e.Name, TargetPort(e)))]),
            NetworkPolicy(name, [.. endpoints.Select(TargetPort)], Callers(resource)),
        ];
    }

    /// <summary>A resource's environment as Aspire's publishers see it: its callbacks run in publish mode (values are strings or expression providers).</summary>
    private async Task<Dictionary<string, object>> EnvironmentAsync(IResource resource, CancellationToken cancellationToken)
    {
        var context = new EnvironmentCallbackContext(executionContext, resource, cancellationToken: cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables;
    }

    private static async Task<IReadOnlyList<object>> ArgumentsAsync(IResource resource, CancellationToken cancellationToken)
    {
        var arguments = new List<object>();
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(arguments, resource, cancellationToken));
        }
        return arguments;
    }

    /// <summary>The resources a project references (WithReference), as the dashboard draws them.</summary>
    private static IEnumerable<IResource> References(IResource resource) =>
        resource.Annotations.OfType<ResourceRelationshipAnnotation>().Where(r => r.Type == "Reference").Select(r => r.Resource);

    /// <summary>
    /// The image a project builds to with <c>dotnet publish -t:PublishContainer</c>: its ContainerRepository (douyin-feed for
    /// Douyin.Feed), under the ContainerRegistry and ContainerImageTag the AppHost was built with (assembly metadata) unless
    /// Publishing:Registry/Tag say otherwise.
    /// </summary>
    private string ProjectImage(ProjectResource project)
    {
        var repository = Path.GetFileNameWithoutExtension(project.GetProjectMetadata().ProjectPath).ToLowerInvariant().Replace('.', '-');
        var registry = configuration["Publishing:Registry"] is { Length: > 0 } configured ? configured : BuildProperty("containerregistry");
        var tag = configuration["Publishing:Tag"] is { Length: > 0 } configuredTag ? configuredTag : BuildProperty("containerimagetag");
        return $"{(string.IsNullOrEmpty(registry) ? "" : registry.TrimEnd('/') + "/")}{repository}:{tag}";
    }

    private string? BuildProperty(string key) => appHostAssembly?.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    private static string ContainerImage(ContainerResource container) =>
        container.TryGetLastAnnotation<ContainerImageAnnotation>(out var image)
            ? $"{(image.Registry is { } registry ? registry + "/" : "")}{image.Image}:{image.Tag ?? "latest"}"
            : throw new DistributedApplicationException($"The container '{container.Name}' has no image.");

    private Dictionary<string, object> EnvironmentVariable(string name, object value)
    {
        var secretParts = new List<string>();
        var text = Resolve(value, secretParts);
        if (secretParts.Count == 0)
        {
            return Map(("name", name), ("value", text));
        }
        // The Secret holds whole values, keyed by the resource or parameter they belong to (feeddb, jwt-key, pg-password, …).
        // Aspire's per-reference connection properties (SOCIALDB_PASSWORD, ...) are keyed by their variable's name.
        var key = value switch
        {
            IResource resource => resource.Name,
            ConnectionStringReference reference => reference.Resource.Name,
            ReferenceExpression { Format: "{0}", ValueProviders: [IResource whole] } => whole.Name,
            _ => name.ToLowerInvariant().Replace('_', '-'),
        };
        _secretKeys[key] = text;
        return Map(("name", name), ("valueFrom", Map(("secretKeyRef", Map(("name", SecretName), ("key", key))))));
    }

    // The in-cluster value of a model value; secret parts become ${INPUT} placeholders and are reported in secretParts.
    private string Resolve(object value, List<string> secretParts) => value switch
    {
        string literal => literal,
        ReferenceExpression expression => string.Format(CultureInfo.InvariantCulture, expression.Format,
            [.. expression.ValueProviders.Select(v => (object)Resolve(v, secretParts))]),
        // Every parameter is operator input (a supplied connection string too), so the Secret holds them all.
        ParameterResource parameter => Input(parameter, secretParts),
        ConnectionStringReference reference => Resolve(reference.Resource, secretParts),
        IResourceWithConnectionString connectionString => Resolve(connectionString.ConnectionStringExpression, secretParts),
        EndpointReference endpoint => Resolve(endpoint.Property(EndpointProperty.Url), secretParts),
        EndpointReferenceExpression property => EndpointValue(property),
        _ => throw new DistributedApplicationException($"The Kubernetes publisher cannot resolve a value of type {value.GetType().Name}."),
    };

    private string Input(ParameterResource parameter, List<string> secretParts)
    {
        secretParts.Add(parameter.Name);
        _inputs[parameter.Name] = parameter;
        return $"${{{InputName(parameter)}}}";
    }

    // Services are named after resources and expose the target port, so host = resource name and port = target port.
    private static string EndpointValue(EndpointReferenceExpression expression)
    {
        var endpoint = expression.Endpoint.EndpointAnnotation;
        var host = expression.Endpoint.Resource.Name;
        var port = TargetPort(endpoint).ToString(CultureInfo.InvariantCulture);
        return expression.Property switch
        {
            EndpointProperty.Url => $"{endpoint.UriScheme}://{host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.Scheme => endpoint.UriScheme,
            EndpointProperty.HostAndPort => $"{host}:{port}",
            _ => throw new DistributedApplicationException($"Unknown endpoint property {expression.Property}."),
        };
    }

    private static int TargetPort(EndpointAnnotation endpoint) => endpoint.TargetPort ?? ProjectPort;

    private static string InputName(ParameterResource parameter) => parameter.Name.ToUpperInvariant().Replace('-', '_');

    /// <summary>A YAML mapping, its keys in the order given (the order a reader of the files expects).</summary>
    private static Dictionary<string, object> Map(params (string Key, object Value)[] entries) => entries.ToDictionary(e => e.Key, e => e.Value);

    // An object of the Kubernetes API: apiVersion, kind, metadata (with the app's labels), then spec or data.
    private static Dictionary<string, object> ApiObject(string apiVersion, string kind, string name, string body, object value, Dictionary<string, object>? annotations = null) =>
        Map(("apiVersion", apiVersion), ("kind", kind), ("metadata", annotations is null
            ? Map(("name", name), ("labels", Labels(name)))
            : Map(("name", name), ("labels", Labels(name)), ("annotations", annotations))), (body, value));

    private static Dictionary<string, object> Labels(string name) => Map(("app.kubernetes.io/name", name), ("app.kubernetes.io/part-of", "douyin"));

    private static Dictionary<string, object> MatchLabels(string name) => Map(("matchLabels", Labels(name)));

    private static Dictionary<string, object> Workload(
        string kind, string name, int replicas, Dictionary<string, object> container, Dictionary<string, object> security, IReadOnlyList<object> volumes,
        int? terminationGracePeriodSeconds = null)
    {
        // Nothing here talks to the Kubernetes API.
        var pod = Map(("automountServiceAccountToken", false), ("securityContext", security), ("containers", new[] { container }));
        if (terminationGracePeriodSeconds is { } grace)
        {
            pod["terminationGracePeriodSeconds"] = grace;
        }
        if (volumes.Count > 0)
        {
            pod["volumes"] = volumes;
        }
        return ApiObject("apps/v1", kind, name, "spec", Map(("replicas", replicas), ("selector", MatchLabels(name)),
            ("template", Map(("metadata", Map(("labels", Labels(name)))), ("spec", pod)))));
    }

    private static Dictionary<string, object> PodSecurity(int user, bool fsGroup)
    {
        var security = Map(("runAsNonRoot", true), ("runAsUser", user), ("runAsGroup", user), ("seccompProfile", Map(("type", "RuntimeDefault"))));
        if (fsGroup)
        {
            // The data volume becomes writable for the image's user (re-owned only when its root does not match yet).
            security["fsGroup"] = user;
            security["fsGroupChangePolicy"] = "OnRootMismatch";
        }
        return security;
    }

    private static Dictionary<string, object> ContainerSecurity() =>
        Map(("allowPrivilegeEscalation", false), ("readOnlyRootFilesystem", true), ("capabilities", Map(("drop", new[] { "ALL" }))));

    private static Dictionary<string, object> EmptyDir(string name, string? sizeLimit) =>
        Map(("name", name), ("emptyDir", sizeLimit is null ? Map() : Map(("sizeLimit", sizeLimit))));

    // With two or more replicas a drain keeps one serving; a single replica may still go (a budget allowing nothing would block every drain).
    private static Dictionary<string, object> DisruptionBudget(string name, int minReplicas) =>
        ApiObject("policy/v1", "PodDisruptionBudget", name, "spec", Map((minReplicas >= 2 ? "minAvailable" : "maxUnavailable", 1), ("selector", MatchLabels(name))));

    /// <summary>The pods of every project that references <paramref name="target"/> or one of its children (pg for feeddb), from the app model.</summary>
    private List<object> Callers(IResource target) =>
    [
        .. model.Resources.OfType<ProjectResource>()
            .Where(p => References(p).Any(r => r == target || (r as IResourceWithParent)?.Parent == target))
            .Select(p => Map(("podSelector", MatchLabels(p.Name)))),
    ];

    // Admits only these peers, only on these ports; selecting the pods also denies them every other ingress.
    private static Dictionary<string, object> NetworkPolicy(string name, IEnumerable<int> ports, List<object> from) =>
        ApiObject("networking.k8s.io/v1", "NetworkPolicy", name, "spec", Map(("podSelector", MatchLabels(name)), ("policyTypes", new[] { "Ingress" }),
            ("ingress", from.Count == 0 ? Array.Empty<object>() : new object[] { Map(("from", from), ("ports", ports.Select(p => Map(("protocol", "TCP"), ("port", p))).ToList())) })));

    private static Dictionary<string, object> Service(string name, IEnumerable<(string Name, int Port)> ports) =>
        ApiObject("v1", "Service", name, "spec", Map(("selector", Labels(name)),
            ("ports", ports.Select(p => Map(("name", p.Name), ("port", p.Port), ("targetPort", p.Name))).ToList())));

    private static Dictionary<string, object> HttpProbe(string path, int periodSeconds, int failureThreshold) =>
        Map(("httpGet", Map(("path", path), ("port", "http"))), ("periodSeconds", periodSeconds), ("failureThreshold", failureThreshold));

    private static Dictionary<string, object> Resources(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) =>
        Map(("requests", Map(("cpu", cpuRequest), ("memory", memoryRequest))), ("limits", Map(("cpu", cpuLimit), ("memory", memoryLimit))));

    private static Dictionary<string, object> Autoscaler(string name, int minReplicas, int maxReplicas, int cpuPercent) =>
        ApiObject("autoscaling/v2", "HorizontalPodAutoscaler", name, "spec", Map(
            ("scaleTargetRef", Map(("apiVersion", "apps/v1"), ("kind", "Deployment"), ("name", name))), ("minReplicas", minReplicas), ("maxReplicas", maxReplicas),
            ("metrics", new[] { Map(("type", "Resource"), ("resource", Map(("name", "cpu"), ("target", Map(("type", "Utilization"), ("averageUtilization", cpuPercent)))))) })));

    // ingress-nginx passes WebSocket upgrades through, but closes idle proxied connections after 60 s: the chat hub
    // (/hubs/chat, forwarded by web) keeps one open per client, so reads and sends may idle for an hour.
    private Dictionary<string, object> Ingress(string name)
    {
        var rule = configuration["Publishing:Host"] is { Length: > 0 } host ? Map(("host", host)) : Map();
        rule["http"] = Map(("paths", new[]
        {
            Map(("path", "/"), ("pathType", "Prefix"), ("backend", Map(("service", Map(("name", name), ("port", Map(("name", "http")))))))),
        }));
        return ApiObject("networking.k8s.io/v1", "Ingress", name, "spec", Map(("ingressClassName", "nginx"), ("rules", new[] { rule })), Map(
            ("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600"),
            ("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600"),
            // Videos are uploaded through the edge.
            ("nginx.ingress.kubernetes.io/proxy-body-size", configuration["Publishing:MaxUploadSize"] ?? "100m")));
    }

    // Services export telemetry only when OTEL_EXPORTER_OTLP_ENDPOINT is set; the operator points it at the cluster's collector.
    private Dictionary<string, object> OtelConfigMap() => ApiObject("v1", "ConfigMap", OtelConfigMapName, "data", Map(
        ("OTEL_EXPORTER_OTLP_ENDPOINT", configuration["Publishing:OtlpEndpoint"] ?? "http://otel-collector:4317"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")));

    private string SecretInstructions()
    {
        var inputs = string.Concat(_inputs.Values.Select(input => (input.Default is GenerateParameterDefault generate
            ? $"export {InputName(input)}=\"$(openssl rand -hex {(generate.MinLength + 1) / 2})\"   # {input.Name}: generated, keep it"
            : $"export {InputName(input)}='<connection string of {input.Name}>'   # supplied: the managed service's connection string") + "\n"));
        var literals = string.Concat(_secretKeys.Select(k => $" \\\n  --from-literal={k.Key}=\"{k.Value}\""));
        var table = string.Concat(_secretKeys.Select(k => $"| `{k.Key}` | `{k.Value}` |\n"));
        return $"""
            # Douyin on Kubernetes

            Generated by `dotnet run --project Douyin.AppHost -- --operation publish --step {KubernetesPublishing.StepName} --output-path <dir>`; regenerate rather than edit.

            Every connection string and key comes from the Secret `{SecretName}`, which these files only reference.
            Create it once per namespace, before `kubectl apply -k .`:

            ```bash
            {inputs}kubectl create secret generic {SecretName}{literals}
            ```

            | Key | Value |
            |---|---|
            {table}
            ## Network

            Each workload's NetworkPolicy admits only the services that reference it in the app model, on its own port; the
            web pods also admit the ingress controller's namespace (`{IngressNamespace}`, `--Publishing:IngressNamespace`).
            They need a network plugin that enforces NetworkPolicies (Calico, Cilium, …); without one they are ignored.
            web believes X-Forwarded-* only from `{IngressNetwork}` (`--Publishing:IngressNetwork`): the pod network the controller connects from.

            """;
    }
}
