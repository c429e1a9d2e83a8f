using System.Globalization;
using System.Text;
using YamlDotNet.Serialization;

namespace Douyin.AppHost.Publishing;

/// <summary>
/// Writes plain Kubernetes YAML for kustomize (<c>kubectl apply -k</c>): per project a Deployment, a Service, a
/// PodDisruptionBudget, a NetworkPolicy and, when configured, a HorizontalPodAutoscaler and an Ingress; per backing container a
/// StatefulSet, a Service and a NetworkPolicy; one OTLP ConfigMap. Every pod runs unprivileged on a read-only root. Expressions
/// resolve to in-cluster values (<c>{feed.bindings.http.url}</c> → <c>http://feed:8080</c>); any value with a secret part is a
/// <c>secretKeyRef</c> into the <c>douyin-secrets</c> Secret, which the operator creates (the generated README.md says how).
/// </summary>
internal sealed class KubernetesWriter(PublishedModel publisher)
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

    public static async Task<string> WriteAsync(PublishedModel publisher, string outputDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        var writer = new KubernetesWriter(publisher);
        var files = new List<string>();
        async Task WriteAsync(string file, IEnumerable<object> objects)
        {
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, file), string.Join("---\n", objects.Select(s_yaml.Serialize)), cancellationToken);
            files.Add(file);
        }

        await WriteAsync("otel-config.yaml", [writer.OtelConfigMap()]);
        foreach (var resource in publisher.Resources)
        {
            var objects = resource switch
            {
                ProjectResource project => await writer.ProjectAsync(project, cancellationToken),
                ContainerResource container => await writer.BackingAsync(container, cancellationToken),
                // Parameters, databases and supplied (managed) services have no workload: their values live in the Secret.
                _ => [],
            };
            if (objects.Count > 0)
            {
                await WriteAsync($"{resource.Name}.yaml", objects);
            }
        }
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "kustomization.yaml"), s_yaml.Serialize(new Dictionary<string, object>
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
            ["resources"] = files,
        }), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "README.md"), writer.SecretInstructions(), cancellationToken);
        return outputDirectory;
    }

    private async Task<List<object>> ProjectAsync(ProjectResource project, CancellationToken cancellationToken)
    {
        var name = project.Name;
        var environment = new List<object>();
        var variables = await publisher.EnvironmentAsync(project, cancellationToken);
        // The model probes /health, and ServiceDefaults maps it outside Development only when asked.
        var probed = project.Annotations.OfType<HealthCheckAnnotation>().Any();
        if (probed)
        {
            variables["HealthChecks__Expose"] = "true";
        }
        foreach (var (variable, value) in variables)
        {
            // TLS ends at the Ingress: inside the cluster services speak plain HTTP, so https addresses are left out.
            if (value is not EndpointReference { Scheme: "https" })
            {
                environment.Add(EnvironmentVariable(variable, value));
            }
        }
        environment.Add(EnvironmentVariable("OTEL_SERVICE_NAME", name));
        // Absolute media and image URLs name the public host, not whatever Host header reached the pod.
        if (publisher.Configuration["Publishing:Host"] is { Length: > 0 } host)
        {
            environment.Add(EnvironmentVariable("Douyin__PublicBaseUrl", $"https://{host}"));
        }
        var external = project.Annotations.OfType<EndpointAnnotation>().Any(e => e.IsExternal);
        if (external)
        {
            // Behind the Ingress: X-Forwarded-* are believed only from the ingress controller's network.
            environment.Add(EnvironmentVariable("ForwardedHeaders__KnownNetworks__0", publisher.Configuration["Publishing:IngressNetwork"] ?? DefaultIngressNetwork));
        }

        var container = new Dictionary<string, object>
        {
            ["name"] = name,
            ["image"] = publisher.ProjectImage(project),
            ["ports"] = new[] { new Dictionary<string, object> { ["name"] = "http", ["containerPort"] = ProjectPort } },
            ["env"] = environment,
            ["envFrom"] = new[] { new Dictionary<string, object> { ["configMapRef"] = new Dictionary<string, object> { ["name"] = OtelConfigMapName } } },
            ["resources"] = Resources("100m", "256Mi", "1", "512Mi"),
            ["securityContext"] = ContainerSecurity(),
            ["volumeMounts"] = new[] { new Dictionary<string, object> { ["name"] = "tmp", ["mountPath"] = "/tmp" } },
        };
        if (probed)
        {
            // Ready once dependencies answer (/health); alive while the process is responsive (/alive). Startup allows for migrations.
            container["startupProbe"] = HttpProbe("/alive", periodSeconds: 5, failureThreshold: 30);
            container["readinessProbe"] = HttpProbe("/health", periodSeconds: 10, failureThreshold: 3);
            container["livenessProbe"] = HttpProbe("/alive", periodSeconds: 10, failureThreshold: 3);
        }
        var workload = Workload("Deployment", name, project.GetReplicaCount(), container, PodSecurity(ProjectUser, fsGroup: false),
            [EmptyDir("tmp", TempSize)]);
        var objects = new List<object> { workload, Service(name, [("http", ProjectPort)]) };
        var minReplicas = project.GetReplicaCount();
        if (publisher.Configuration.GetSection($"Publishing:Autoscale:{name}") is { } autoscale && autoscale.Exists())
        {
            minReplicas = autoscale.GetValue("MinReplicas", minReplicas);
            objects.Add(Autoscaler(name, minReplicas, autoscale.GetValue<int>("MaxReplicas"), autoscale.GetValue("CpuPercent", 70)));
        }
        objects.Add(DisruptionBudget(name, minReplicas));
        var from = Callers(project);
        if (external)
        {
            objects.Add(Ingress(name));
            from.Add(IngressController());
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
        var container = new Dictionary<string, object>
        {
            ["name"] = name,
            ["image"] = PublishedModel.ContainerImage(resource),
        };
        if (resource.Entrypoint is { } entrypoint)
        {
            container["command"] = new[] { entrypoint };
        }
        if (await PublishedModel.ArgumentsAsync(resource, cancellationToken) is { Count: > 0 } args)
        {
            container["args"] = args.Select(a => Resolve(a, [])).ToList();
        }
        container["ports"] = endpoints.Select(e => new Dictionary<string, object> { ["name"] = e.Name, ["containerPort"] = TargetPort(e) }).ToList();
        container["env"] = (await publisher.EnvironmentAsync(resource, cancellationToken)).Select(e => EnvironmentVariable(e.Key, e.Value))
            .Concat(image.Environment.Select(e => EnvironmentVariable(e.Name, e.Value))).ToList();
        container["readinessProbe"] = new Dictionary<string, object> { ["tcpSocket"] = new Dictionary<string, object> { ["port"] = endpoints[0].Name }, ["periodSeconds"] = 10 };
        container["resources"] = Resources("250m", "256Mi", "1", "1Gi");
        container["securityContext"] = ContainerSecurity();
        container["volumeMounts"] = volumes.Select((v, i) => new Dictionary<string, object> { ["name"] = $"data-{i}", ["mountPath"] = v.Target, ["readOnly"] = v.IsReadOnly })
            .Concat(image.Writable.Select((path, i) => new Dictionary<string, object> { ["name"] = $"scratch-{i}", ["mountPath"] = path })).ToList();

        var statefulSet = Workload("StatefulSet", name, 1, container, PodSecurity(image.User, fsGroup: true),
            [.. image.Writable.Select((_, i) => EmptyDir($"scratch-{i}", sizeLimit: null))]);
        var spec = (Dictionary<string, object>)statefulSet["spec"];
        spec["serviceName"] = name;
        spec["volumeClaimTemplates"] = volumes.Select((_, i) => new Dictionary<string, object>
        {
            ["metadata"] = new Dictionary<string, object> { ["name"] = $"data-{i}" },
            ["spec"] = new Dictionary<string, object>
            {
                ["accessModes"] = new[] { "ReadWriteOnce" },
                ["resources"] = new Dictionary<string, object> { ["requests"] = new Dictionary<string, object> { ["storage"] = "8Gi" } },
            },
        }).ToList();
        return
        [
            statefulSet,
            Service(name, [.. endpoints.Select(e => (e.Name, TargetPort(e)))]),
            NetworkPolicy(name, [.. endpoints.Select(TargetPort)], Callers(resource)),
        ];
    }

    private Dictionary<string, object> EnvironmentVariable(string name, object value)
    {
        var secretParts = new List<string>();
        var text = Resolve(value, secretParts);
        if (secretParts.Count == 0)
        {
            return new() { ["name"] = name, ["value"] = text };
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
        return new()
        {
            ["name"] = name,
            ["valueFrom"] = new Dictionary<string, object> { ["secretKeyRef"] = new Dictionary<string, object> { ["name"] = SecretName, ["key"] = key } },
        };
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

    private static Dictionary<string, object> Metadata(string name, Dictionary<string, object>? annotations = null)
    {
        var metadata = new Dictionary<string, object> { ["name"] = name, ["labels"] = Labels(name) };
        if (annotations is not null)
        {
            metadata["annotations"] = annotations;
        }
        return metadata;
    }

    private static Dictionary<string, object> Labels(string name) => new()
    {
        ["app.kubernetes.io/name"] = name,
        ["app.kubernetes.io/part-of"] = "douyin",
    };

    private static Dictionary<string, object> Workload(
        string kind, string name, int replicas, Dictionary<string, object> container, Dictionary<string, object> security, IReadOnlyList<object> volumes)
    {
        var pod = new Dictionary<string, object>
        {
            // Nothing here talks to the Kubernetes API.
            ["automountServiceAccountToken"] = false,
            ["securityContext"] = security,
            ["containers"] = new[] { container },
        };
        if (volumes.Count > 0)
        {
            pod["volumes"] = volumes;
        }
        return new()
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = kind,
            ["metadata"] = Metadata(name),
            ["spec"] = new Dictionary<string, object>
            {
                ["replicas"] = replicas,
                ["selector"] = new Dictionary<string, object> { ["matchLabels"] = Labels(name) },
                ["template"] = new Dictionary<string, object>
                {
                    ["metadata"] = new Dictionary<string, object> { ["labels"] = Labels(name) },
                    ["spec"] = pod,
                },
            },
        };
    }

    private static Dictionary<string, object> PodSecurity(int user, bool fsGroup)
    {
        var security = new Dictionary<string, object>
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = user,
            ["runAsGroup"] = user,
            ["seccompProfile"] = new Dictionary<string, object> { ["type"] = "RuntimeDefault" },
        };
        if (fsGroup)
        {
            // The data volume becomes writable for the image's user (re-owned only when its root does not match yet).
            security["fsGroup"] = user;
            security["fsGroupChangePolicy"] = "OnRootMismatch";
        }
        return security;
    }

    private static Dictionary<string, object> ContainerSecurity() => new()
    {
        ["allowPrivilegeEscalation"] = false,
        ["readOnlyRootFilesystem"] = true,
        ["capabilities"] = new Dictionary<string, object> { ["drop"] = new[] { "ALL" } },
    };

    private static Dictionary<string, object> EmptyDir(string name, string? sizeLimit) => new()
    {
        ["name"] = name,
        ["emptyDir"] = sizeLimit is null ? new Dictionary<string, object>() : new Dictionary<string, object> { ["sizeLimit"] = sizeLimit },
    };

    // With two or more replicas a drain keeps one serving; a single replica may still go (a budget allowing nothing would block every drain).
    private static Dictionary<string, object> DisruptionBudget(string name, int minReplicas) => new()
    {
        ["apiVersion"] = "policy/v1",
        ["kind"] = "PodDisruptionBudget",
        ["metadata"] = Metadata(name),
        ["spec"] = new Dictionary<string, object>
        {
            [minReplicas >= 2 ? "minAvailable" : "maxUnavailable"] = 1,
            ["selector"] = new Dictionary<string, object> { ["matchLabels"] = Labels(name) },
        },
    };

    /// <summary>The pods of every project that references <paramref name="target"/> or one of its children (pg for feeddb), from the app model.</summary>
    private List<object> Callers(IResource target) =>
    [
        .. publisher.Resources.OfType<ProjectResource>()
            .Where(p => PublishedModel.References(p).Any(r => r == target || (r as IResourceWithParent)?.Parent == target))
            .Select(p => new Dictionary<string, object> { ["podSelector"] = new Dictionary<string, object> { ["matchLabels"] = Labels(p.Name) } }),
    ];

    private Dictionary<string, object> IngressController() => new()
    {
        ["namespaceSelector"] = new Dictionary<string, object>
        {
            ["matchLabels"] = new Dictionary<string, object> { ["kubernetes.io/metadata.name"] = publisher.Configuration["Publishing:IngressNamespace"] ?? DefaultIngressNamespace },
        },
    };

    // Admits only these peers, only on these ports; selecting the pods also denies them every other ingress.
    private static Dictionary<string, object> NetworkPolicy(string name, IEnumerable<int> ports, List<object> from) => new()
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "NetworkPolicy",
        ["metadata"] = Metadata(name),
        ["spec"] = new Dictionary<string, object>
        {
            ["podSelector"] = new Dictionary<string, object> { ["matchLabels"] = Labels(name) },
            ["policyTypes"] = new[] { "Ingress" },
            ["ingress"] = from.Count == 0
                ? Array.Empty<object>()
                : new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["from"] = from,
                        ["ports"] = ports.Select(p => new Dictionary<string, object> { ["protocol"] = "TCP", ["port"] = p }).ToList(),
                    },
                },
        },
    };

    private static Dictionary<string, object> Service(string name, IEnumerable<(string Name, int Port)> ports) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(name),
        ["spec"] = new Dictionary<string, object>
        {
            ["selector"] = Labels(name),
            ["ports"] = ports.Select(p => new Dictionary<string, object> { ["name"] = p.Name, ["port"] = p.Port, ["targetPort"] = p.Name }).ToList(),
        },
    };

    private static Dictionary<string, object> HttpProbe(string path, int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new Dictionary<string, object> { ["path"] = path, ["port"] = "http" },
        ["periodSeconds"] = periodSeconds,
        ["failureThreshold"] = failureThreshold,
    };

    private static Dictionary<string, object> Resources(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        ["requests"] = new Dictionary<string, object> { ["cpu"] = cpuRequest, ["memory"] = memoryRequest },
        ["limits"] = new Dictionary<string, object> { ["cpu"] = cpuLimit, ["memory"] = memoryLimit },
    };

    private static Dictionary<string, object> Autoscaler(string name, int minReplicas, int maxReplicas, int cpuPercent) => new()
    {
        ["apiVersion"] = "autoscaling/v2",
        ["kind"] = "HorizontalPodAutoscaler",
        ["metadata"] = Metadata(name),
        ["spec"] = new Dictionary<string, object>
        {
            ["scaleTargetRef"] = new Dictionary<string, object> { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = name },
            ["minReplicas"] = minReplicas,
            ["maxReplicas"] = maxReplicas,
            ["metrics"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["type"] = "Resource",
                    ["resource"] = new Dictionary<string, object>
                    {
                        ["name"] = "cpu",
                        ["target"] = new Dictionary<string, object> { ["type"] = "Utilization", ["averageUtilization"] = cpuPercent },
                    },
                },
            },
        },
    };

    // ingress-nginx passes WebSocket upgrades through, but closes idle proxied connections after 60 s: the chat hub
    // (/hubs/chat, forwarded by web) keeps one open per client, so reads and sends may idle for an hour.
    private Dictionary<string, object> Ingress(string name)
    {
        var rule = new Dictionary<string, object>();
        if (publisher.Configuration["Publishing:Host"] is { Length: > 0 } host)
        {
            rule["host"] = host;
        }
        rule["http"] = new Dictionary<string, object>
        {
            ["paths"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["path"] = "/",
                    ["pathType"] = "Prefix",
                    ["backend"] = new Dictionary<string, object>
                    {
                        ["service"] = new Dictionary<string, object> { ["name"] = name, ["port"] = new Dictionary<string, object> { ["name"] = "http" } },
                    },
                },
            },
        };
        return new()
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "Ingress",
            ["metadata"] = Metadata(name, new()
            {
                ["nginx.ingress.kubernetes.io/proxy-read-timeout"] = "3600",
                ["nginx.ingress.kubernetes.io/proxy-send-timeout"] = "3600",
                // Videos are uploaded through the edge.
                ["nginx.ingress.kubernetes.io/proxy-body-size"] = publisher.Configuration["Publishing:MaxUploadSize"] ?? "100m",
            }),
            ["spec"] = new Dictionary<string, object> { ["ingressClassName"] = "nginx", ["rules"] = new[] { rule } },
        };
    }

    // Services export telemetry only when OTEL_EXPORTER_OTLP_ENDPOINT is set; the operator points it at the cluster's collector.
    private Dictionary<string, object> OtelConfigMap() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = Metadata(OtelConfigMapName),
        ["data"] = new Dictionary<string, object>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = publisher.Configuration["Publishing:OtlpEndpoint"] ?? "http://otel-collector:4317",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
        },
    };

    private string SecretInstructions()
    {
        var text = new StringBuilder();
        text.AppendLine("# Douyin on Kubernetes").AppendLine()
            .AppendLine($"Generated by `dotnet run --project Douyin.AppHost -- --operation publish --step {KubernetesPublishing.StepName} --output-path <dir>`; regenerate rather than edit.").AppendLine()
            .AppendLine($"Every connection string and key comes from the Secret `{SecretName}`, which these files only reference.")
            .AppendLine("Create it once per namespace, before `kubectl apply -k .`:").AppendLine()
            .AppendLine("```bash");
        foreach (var input in _inputs.Values)
        {
            text.AppendLine(input.Default is GenerateParameterDefault generate
                ? $"export {InputName(input)}=\"$(openssl rand -hex {(generate.MinLength + 1) / 2})\"   # {input.Name}: generated, keep it"
                : $"export {InputName(input)}='<connection string of {input.Name}>'   # supplied: the managed service's connection string");
        }
        text.Append($"kubectl create secret generic {SecretName}");
        foreach (var (key, value) in _secretKeys)
        {
            text.Append(" \\\n  ").Append($"--from-literal={key}=\"{value}\"");
        }
        text.AppendLine().AppendLine("```").AppendLine()
            .AppendLine("| Key | Value |").AppendLine("|---|---|");
        foreach (var (key, value) in _secretKeys)
        {
            text.AppendLine($"| `{key}` | `{value}` |");
        }
        text.AppendLine().AppendLine("## Network")
            .AppendLine()
            .AppendLine("Each workload's NetworkPolicy admits only the services that reference it in the app model, on its own port; the")
            .AppendLine($"web pods also admit the ingress controller's namespace (`{publisher.Configuration["Publishing:IngressNamespace"] ?? DefaultIngressNamespace}`, `--Publishing:IngressNamespace`).")
            .AppendLine("They need a network plugin that enforces NetworkPolicies (Calico, Cilium, …); without one they are ignored.")
            .AppendLine($"web believes X-Forwarded-* only from `{publisher.Configuration["Publishing:IngressNetwork"] ?? DefaultIngressNetwork}` (`--Publishing:IngressNetwork`): the pod network the controller connects from.");
        return text.ToString();
    }
}
