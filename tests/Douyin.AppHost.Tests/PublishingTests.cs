using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Douyin.AppHost.Tests;

// Publish mode: the same Program.cs written as an Aspire manifest (for azd) and as Kubernetes YAML, checked field by field.
public sealed class PublishingTests : IDisposable
{
    private static readonly string[] s_projects = ["social", "chat", "feed", "web"];
    private static readonly string[] s_backingServices = ["pg", "cache", "messaging"];
    private readonly string _output = Directory.CreateTempSubdirectory("douyin-publish-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task ManifestMatchesTheReviewedGoldenFile()
    {
        await PublishAsync("manifest", _output);

        var actual = Normalise(Path.Combine(_output, "aspire-manifest.json"));
        var golden = GoldenPath();
        if (Environment.GetEnvironmentVariable("DOUYIN_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(golden, actual);
        }
        var actualCopy = Path.Combine(Path.GetTempPath(), "aspire-manifest.actual.json");
        if (actual != await File.ReadAllTextAsync(golden))
        {
            await File.WriteAllTextAsync(actualCopy, actual);
        }
        Assert.True(actual == await File.ReadAllTextAsync(golden),
            $"The manifest differs from {golden}; the normalised output is in {actualCopy}. If the change is intended, review the diff and " +
            "update the golden file: DOUYIN_UPDATE_GOLDEN=1 dotnet test tests/Douyin.AppHost.Tests --filter ManifestMatchesTheReviewedGoldenFile");
    }

    [Fact]
    public async Task ManifestHasWhatTheSchemaRequiresAndOnlyWhatAzdUnderstands()
    {
        await PublishAsync("manifest", Path.Combine(_output, "out.json"));
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "out.json")))!;
        var resources = manifest["resources"]!.AsObject();

        // Aspire 13.2+ writes no "$schema" (azd ignores it); the file is the resources alone.
        Assert.Equal(["resources"], manifest.AsObject().Select(p => p.Key));
        // Model order, then what Aspire adds: the servers' generated passwords, their URI-encoded forms, Redis' TLS switch.
        Assert.Equal(["jwt-key", "service-key", "pg", "feeddb", "socialdb", "chatdb", "cache", "messaging", "blobs", .. s_projects,
            "pg-password", "pg-password-uri-encoded", "cache-password", "cache-password-uri-encoded", "messaging-password", "messaging-password-uri-encoded"],
            resources.Select(r => r.Key).Where(k => !k.StartsWith("cond-", StringComparison.Ordinal)));
        foreach (var (name, resource) in resources)
        {
            // The aspire-8.0 schema's required fields per type.
            var required = (string?)resource!["type"] switch
            {
                "project.v0" => ["path"],
                "container.v0" => ["image"],
                "parameter.v0" => ["value", "inputs"],
                "value.v0" => new[] { "connectionString" },
                // Current azd resolves {x-uri-encoded.value} (aspire-manifest.md §3); aspirate would not.
                "annotated.string" => ["value", "filter"],
                var other => throw new Xunit.Sdk.XunitException($"{name} has type {other}, which azd does not deploy."),
            };
            Assert.All(required, field => Assert.NotNull(resource[field]));
        }
        // Every placeholder names a resource of the manifest and, for bindings, one of its bindings.
        foreach (Match hole in Regex.Matches(resources.ToJsonString(), @"(?<!\{)\{([a-z0-9-]+)\.([a-zA-Z]+)(?:\.([a-z]+)\.[a-zA-Z]+)?\}"))
        {
            var target = resources[hole.Groups[1].Value];
            Assert.True(target is not null, $"{hole.Value} names no resource");
            if (hole.Groups[2].Value == "bindings")
            {
                Assert.NotNull(target!["bindings"]![hole.Groups[3].Value]);
            }
        }
        foreach (var project in s_projects)
        {
            var resource = resources[project]!;
            Assert.True(File.Exists(Path.Combine(_output, (string)resource["path"]!)));
            Assert.DoesNotContain('\\', (string)resource["path"]!);
            Assert.Equal(["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "HTTP_PORTS"], resource["env"]!.AsObject().Take(3).Select(e => e.Key));
            Assert.Equal($"{{{project}.bindings.http.targetPort}}", (string?)resource["env"]!["HTTP_PORTS"]);
            Assert.Equal(["http", "https"], resource["bindings"]!.AsObject().Select(b => b.Key));
            Assert.Equal(project == "web", (bool?)resource["bindings"]!["http"]!["external"] ?? false);
        }
        Assert.Equal("{blobs.value}", (string?)resources["blobs"]!["connectionString"]);
        Assert.Null(resources["blobs"]!["inputs"]!["value"]!["default"]);
        Assert.Equal(64, (int?)resources["jwt-key"]!["inputs"]!["value"]!["default"]!["generate"]!["minLength"]);
        Assert.Equal(64, (int?)resources["service-key"]!["inputs"]!["value"]!["default"]!["generate"]!["minLength"]);
        Assert.True((bool?)resources["service-key"]!["inputs"]!["value"]!["secret"]);
        Assert.All(resources.Where(r => r.Key is "jwt-key" or "service-key"),
            r => Assert.False((bool?)r.Value!["inputs"]!["value"]!["default"]!["generate"]!["special"]));
        // The servers' passwords are Aspire's own (22 characters, special ones allowed: connection URIs take the encoded form).
        Assert.All(resources.Where(r => r.Key.EndsWith("-password", StringComparison.Ordinal)),
            r => Assert.Equal(22, (int?)r.Value!["inputs"]!["value"]!["default"]!["generate"]!["minLength"]));
        // The service credential goes to the services that serve or call /internal endpoints, not to the edge.
        Assert.All(new[] { "social", "chat", "feed" }, p => Assert.Equal("{service-key.value}", (string?)resources[p]!["env"]!["ServiceCredential__Key"]));
        Assert.Null(resources["web"]!["env"]!["ServiceCredential__Key"]);
        Assert.Equal(5432, (int?)resources["pg"]!["bindings"]!["tcp"]!["targetPort"]);
        Assert.Equal("/var/lib/postgresql", (string?)resources["pg"]!["volumes"]![0]!["target"]);
    }

    [Theory]
    [InlineData("--publisher manifest --output-path {0}", "aspire-manifest.json")]
    [InlineData("-- --publisher manifest --output-path {0}/azd.json", "azd.json")]
    [InlineData("--operation publish --step publish-kubernetes --output-path {0}/k8s", "k8s/kustomization.yaml")]
    public async Task TheAppHostCommandWritesTheDescriptionAndExitsWithoutStartingAnything(string arguments, string expectedFile)
    {
        var dataPath = Path.Combine(_output, "data");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _output };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Douyin.AppHost.dll"));
        foreach (var argument in string.Format(System.Globalization.CultureInfo.InvariantCulture, arguments, _output).Split(' '))
        {
            start.ArgumentList.Add(argument);
        }
        start.ArgumentList.Add($"--AppHost:DataPath={dataPath}");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(process.ExitCode == 0, await output + error);
        Assert.True(File.Exists(Path.Combine(_output, expectedFile)), await output);
        Assert.False(Directory.Exists(dataPath)); // nothing started, no generated secret persisted
    }

    [Fact]
    public async Task KubernetesYamlDescribesTheDeployment()
    {
        await PublishAsync("kubernetes", _output);
        var files = ReadYaml(_output);

        Assert.Equal(["otel-config.yaml", .. s_backingServices.Select(s => $"{s}.yaml"), .. s_projects.Select(p => $"{p}.yaml")],
            Seq(files["kustomization.yaml"].Single()["resources"]).Cast<string>());
        Assert.Equal(files.Keys.Where(f => f != "kustomization.yaml").Order(), Seq(files["kustomization.yaml"].Single()["resources"]).Cast<string>().Order());
        Assert.Equal(["ConfigMap"], Kinds(files["otel-config.yaml"]));
        Assert.Equal("grpc", Map(files["otel-config.yaml"][0]["data"])["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal(["Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy"], Kinds(files["social.yaml"]));
        Assert.Equal(["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"], Kinds(files["feed.yaml"]));
        Assert.Equal(["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"], Kinds(files["chat.yaml"]));
        Assert.Equal(["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "NetworkPolicy"], Kinds(files["web.yaml"]));

        foreach (var project in s_projects)
        {
            var deployment = files[$"{project}.yaml"][0];
            Assert.Equal(project == "web" ? "1" : "2", Map(deployment["spec"])["replicas"]);
            var container = Container(deployment);
            Assert.Equal($"douyin-{project}:latest", container["image"]);
            Assert.Equal("/health", Map(Map(container["readinessProbe"])["httpGet"])["path"]);
            Assert.Equal("/alive", Map(Map(container["livenessProbe"])["httpGet"])["path"]);
            Assert.Equal("http", Map(Map(container["livenessProbe"])["httpGet"])["port"]);
            Assert.NotNull(Map(Map(container["resources"])["requests"])["memory"]);
            Assert.NotNull(Map(Map(container["resources"])["limits"])["cpu"]);
            Assert.Equal(OtelConfigMapName, Map(Map(Seq(container["envFrom"]).Single())["configMapRef"])["name"]);
            var environment = EnvironmentOf(container);
            Assert.Equal("true", environment["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]);
            Assert.Equal("true", environment["HealthChecks__Expose"]);
            Assert.Equal("8080", environment["HTTP_PORTS"]);
            Assert.Equal(project, environment["OTEL_SERVICE_NAME"]);
            Assert.DoesNotContain(environment.Keys, k => k.Contains("__https__", StringComparison.Ordinal));
            foreach (var (name, value) in environment.Where(e => e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || e.Key is "Jwt__Key" or "ServiceCredential__Key"))
            {
                var key = name switch { "Jwt__Key" => "jwt-key", "ServiceCredential__Key" => "service-key", _ => name["ConnectionStrings__".Length..] };
                Assert.Equal($"secret:douyin-secrets/{key}", value);
            }
            Assert.Equal(project != "web", environment.ContainsKey("ServiceCredential__Key"));
            Assert.Equal("8080", Map(Seq(Map(files[$"{project}.yaml"][1]["spec"])["ports"]).Single())["port"]);
            // The stop: a 5 s preStop sleep, the service's 5 s drain and 15 s stop, and 5 s of margin.
            Assert.Equal("5", Map(Map(Map(container["lifecycle"])["preStop"])["sleep"])["seconds"]);
            Assert.Equal(("00:00:05", "00:00:15"), (environment["Shutdown__DrainDelay"], environment["Shutdown__StopTimeout"]));
            Assert.Equal("30", Map(Map(Map(deployment["spec"])["template"])["spec"])["terminationGracePeriodSeconds"]);
        }
        var web = EnvironmentOf(Container(files["web.yaml"][0]));
        Assert.Equal("http://feed:8080", web["services__feed__http__0"]);
        Assert.Equal("http://chat:8080", web["services__chat__http__0"]);
        Assert.Equal("secret:douyin-secrets/blobs", web["ConnectionStrings__blobs"]);

        var autoscalers = files.Values.SelectMany(d => d).Where(o => (string)o["kind"] == "HorizontalPodAutoscaler").ToDictionary(o => (string)Map(o["metadata"])["name"], o => Map(o["spec"]));
        Assert.Equal(["chat", "feed", "web"], autoscalers.Keys.Order());
        Assert.Equal(("2", "10"), ((string)autoscalers["web"]["minReplicas"], (string)autoscalers["web"]["maxReplicas"]));
        Assert.Equal("2", autoscalers["chat"]["minReplicas"]); // the Deployment's replicas when not configured

        var ingress = files["web.yaml"].Single(o => (string)o["kind"] == "Ingress");
        var annotations = Map(Map(ingress["metadata"])["annotations"]);
        Assert.Equal("3600", annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]);
        Assert.Equal("3600", annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]);
        var backend = Map(Map(Map(Seq(Map(Map(Seq(Map(ingress["spec"])["rules"]).Single())["http"])["paths"]).Single())["backend"])["service"]);
        Assert.Equal("web", backend["name"]);

        foreach (var (service, port, mount) in new[] { ("pg", "5432", "/var/lib/postgresql"), ("cache", "6379", "/data"), ("messaging", "5672", "/var/lib/rabbitmq") })
        {
            Assert.Equal(["StatefulSet", "Service", "NetworkPolicy"], Kinds(files[$"{service}.yaml"]));
            var statefulSet = files[$"{service}.yaml"][0];
            var container = Container(statefulSet);
            Assert.Equal(port, Map(Seq(container["ports"]).Single())["containerPort"]);
            Assert.Equal(mount, Map(Seq(container["volumeMounts"]).Single(m => (string)Map(m)["name"] == "data-0"))["mountPath"]);
            Assert.Equal("8Gi", Map(Map(Map(Map(Seq(Map(statefulSet["spec"])["volumeClaimTemplates"]).Single())["spec"])["resources"])["requests"])["storage"]);
            Assert.NotNull(container["readinessProbe"]);
            Assert.Equal(port, Map(Seq(Map(files[$"{service}.yaml"][1]["spec"])["ports"]).Single())["port"]);
        }
        Assert.Equal("secret:douyin-secrets/pg-password", EnvironmentOf(Container(files["pg.yaml"][0]))["POSTGRES_PASSWORD"]);
        Assert.Equal("secret:douyin-secrets/cache-password", EnvironmentOf(Container(files["cache.yaml"][0]))["REDIS_PASSWORD"]);
        Assert.Equal(["/bin/sh"], Seq(Container(files["cache.yaml"][0])["command"]).Cast<string>());

        // The README tells the operator how to create every key the YAML references.
        var readme = await File.ReadAllTextAsync(Path.Combine(_output, "README.md"));
        Assert.Contains("kubectl create secret generic douyin-secrets", readme);
        foreach (var key in new[] { "jwt-key", "service-key", "feeddb", "socialdb", "chatdb", "cache", "messaging", "blobs", "pg-password", "cache-password", "messaging-password" })
        {
            Assert.Contains($"--from-literal={key}=", readme);
        }
        Assert.Contains("--from-literal=feeddb=\"Host=pg;Port=5432;Username=postgres;Password=${PG_PASSWORD};Database=feeddb\"", readme);
    }

    [Fact]
    public async Task AConnectionStringGivenAtPublishTimeReplacesTheStatefulSetWithASecretKey()
    {
        await PublishAsync("kubernetes", _output, b => b.Configuration["ConnectionStrings:pg"] = "Host=managed.example;Username=app;Password=from-config");
        var files = ReadYaml(_output);

        Assert.DoesNotContain("pg.yaml", files.Keys);
        Assert.DoesNotContain("pg.yaml", Seq(files["kustomization.yaml"].Single()["resources"]).Cast<string>());
        Assert.Equal("secret:douyin-secrets/feeddb", EnvironmentOf(Container(files["feed.yaml"][0]))["ConnectionStrings__feeddb"]);
        var readme = await File.ReadAllTextAsync(Path.Combine(_output, "README.md"));
        Assert.Contains("--from-literal=feeddb=\"${PG};Database=feeddb\"", readme);
        Assert.DoesNotContain("pg-password", readme);
        Assert.Contains("cache.yaml", files.Keys);
    }

    [Fact]
    public async Task NoSecretValueReachesAnyPublishedFile()
    {
        const string Sentinel = "Sentinel0ff1ce";
        void Configure(Settings b)
        {
            b.Configuration["Parameters:jwt-key"] = $"{Sentinel}-jwt";
            b.Configuration["Parameters:pg-password"] = $"{Sentinel}-pg";
            b.Configuration["ConnectionStrings:cache"] = $"redis.example:6379,password={Sentinel}-cache";
            b.Configuration["ConnectionStrings:blobs"] = $"AccountKey={Sentinel}-blobs";
        }
        var manifestData = await PublishAsync("manifest", Path.Combine(_output, "manifest"), Configure);
        var kubernetesData = await PublishAsync("kubernetes", Path.Combine(_output, "k8s"), Configure);

        var files = Directory.GetFiles(_output, "*", SearchOption.AllDirectories);
        Assert.Equal(10, files.Length); // the manifest; 8 YAML files (no cache StatefulSet) and README.md
        Assert.All(files, f => Assert.DoesNotContain(Sentinel, File.ReadAllText(f)));
        // Passwords appear only as placeholders: {pg-password.value} in the manifest, ${PG_PASSWORD} in the README.
        Assert.All(files, f => Assert.DoesNotMatch(@"(?i)(?<![\w-])password=(?![{$])|AccountKey=", File.ReadAllText(f)));
        Assert.False(File.Exists(Path.Combine(manifestData, "parameters.json")));
        Assert.False(File.Exists(Path.Combine(kubernetesData, "parameters.json")));
    }

    [Fact]
    public async Task ImagesAreTheOnesTheProjectsBuildWithPublishContainer()
    {
        await PublishAsync("kubernetes", _output);
        var files = ReadYaml(_output);

        foreach (var project in s_projects)
        {
            var properties = await MSBuildPropertiesAsync(ProjectPath(project), "ContainerRepository", "ContainerRegistry", "ContainerImageTag");
            var registry = properties["ContainerRegistry"] is { Length: > 0 } r ? r + "/" : "";
            Assert.Equal($"{registry}{properties["ContainerRepository"]}:{properties["ContainerImageTag"]}", Container(files[$"{project}.yaml"][0])["image"]);
        }

        await PublishAsync("kubernetes", Path.Combine(_output, "tagged"), b =>
        {
            b.Configuration["Publishing:Registry"] = "ghcr.io/acme";
            b.Configuration["Publishing:Tag"] = "1.2.3";
        });
        Assert.Equal("ghcr.io/acme/douyin-feed:1.2.3", Container(ReadYaml(Path.Combine(_output, "tagged"))["feed.yaml"][0])["image"]);
    }

    [Fact]
    public async Task ReplicasComeFromConfiguration()
    {
        var run = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>([], CancellationToken.None);
        var scaled = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>(["--Replicas=3"], CancellationToken.None);
        await using var _ = run;
        await using var __ = scaled;

        Assert.All(run.Resources.OfType<ProjectResource>(), p => Assert.Equal(1, p.GetReplicaCount()));
        Assert.Equal([("social", 3), ("chat", 3), ("feed", 3), ("web", 1)], scaled.Resources.OfType<ProjectResource>().Select(p => (p.Name, p.GetReplicaCount())));
    }

    /// <summary>
    /// What kustomize builds from the output (the YAML a cluster receives): each pod admits only its callers from the app
    /// model's references, runs unprivileged on a read-only root with a writable /tmp, and survives a drain; web trusts
    /// forwarded headers only from the ingress network and every service knows its public URL.
    /// </summary>
    [Fact]
    public async Task KustomizeBuildsALockedDownDeployment()
    {
        await PublishAsync("kubernetes", _output, b =>
        {
            b.Configuration["Publishing:Host"] = "douyin.example.com";
            b.Configuration["Publishing:IngressNetwork"] = "172.16.0.0/12";
            b.Configuration["Publishing:PreStopSeconds"] = "3";
            b.Configuration["Publishing:DrainDelaySeconds"] = "7";
            b.Configuration["Publishing:StopTimeoutSeconds"] = "20";
            b.Configuration["Publishing:StopMarginSeconds"] = "2";
        });
        var objects = await KustomizeAsync(_output);
        List<Dictionary<object, object>> OfKind(string kind) => [.. objects.Where(o => (string)o["kind"] == kind)];
        static string NameOf(Dictionary<object, object> o) => (string)Map(o["metadata"])["name"];

        // Admitted peers per workload: the projects that reference it (or one of its databases), and for web the ingress controller.
        var expected = new Dictionary<string, (string[] From, string Port)>
        {
            ["web"] = (["namespace:ingress-nginx"], "8080"),
            ["social"] = (["chat", "feed", "web"], "8080"),
            ["chat"] = (["social", "web"], "8080"),
            ["feed"] = (["web"], "8080"),
            ["pg"] = (["chat", "feed", "social"], "5432"),
            ["cache"] = (["chat", "feed", "social"], "6379"),
            ["messaging"] = (["feed", "social"], "5672"),
        };
        var policies = OfKind("NetworkPolicy").ToDictionary(NameOf, p => Map(p["spec"]));
        Assert.Equal(expected.Keys.Order(), policies.Keys.Order());
        foreach (var (name, (from, port)) in expected)
        {
            var spec = policies[name];
            Assert.Equal(name, Map(Map(spec["podSelector"])["matchLabels"])["app.kubernetes.io/name"]);
            Assert.Equal(["Ingress"], Seq(spec["policyTypes"]).Cast<string>());
            var rule = Map(Seq(spec["ingress"]).Single());
            Assert.Equal(from, Seq(rule["from"]).Select(Map).Select(peer => peer.TryGetValue("podSelector", out var pods)
                ? (string)Map(Map(pods)["matchLabels"])["app.kubernetes.io/name"]
                : "namespace:" + (string)Map(Map(peer["namespaceSelector"])["matchLabels"])["kubernetes.io/metadata.name"]).Order());
            Assert.Equal([("TCP", port)], Seq(rule["ports"]).Select(Map).Select(p => ((string)p["protocol"], (string)p["port"])));
        }

        // Two replicas (web: its autoscaler's minimum) keep one serving through a drain.
        var budgets = OfKind("PodDisruptionBudget").ToDictionary(NameOf, b => Map(b["spec"]));
        Assert.Equal(s_projects.Order(), budgets.Keys.Order());
        Assert.All(budgets, b => Assert.Equal("1", b.Value["minAvailable"]));
        Assert.All(budgets, b => Assert.Equal(b.Key, Map(Map(b.Value["selector"])["matchLabels"])["app.kubernetes.io/name"]));

        var workloads = OfKind("Deployment").Concat(OfKind("StatefulSet")).ToList();
        Assert.Equal(s_projects.Concat(s_backingServices).Order(), workloads.Select(NameOf).Order());
        foreach (var workload in workloads)
        {
            var pod = Map(Map(Map(workload["spec"])["template"])["spec"]);
            var security = Map(pod["securityContext"]);
            Assert.Equal("true", security["runAsNonRoot"]);
            Assert.NotEqual("0", security["runAsUser"]);
            Assert.Equal("RuntimeDefault", Map(security["seccompProfile"])["type"]);
            Assert.Equal("false", pod["automountServiceAccountToken"]);
            var container = Container(workload);
            var containerSecurity = Map(container["securityContext"]);
            Assert.Equal("false", containerSecurity["allowPrivilegeEscalation"]);
            Assert.Equal("true", containerSecurity["readOnlyRootFilesystem"]);
            Assert.Equal(["ALL"], Seq(Map(containerSecurity["capabilities"])["drop"]).Cast<string>());
            // /tmp (spooled bodies, uploads, ffmpeg's covers, the servers' scratch files) is an emptyDir, the one writable place beside data.
            var tmp = (string)Map(Seq(container["volumeMounts"]).Single(m => (string)Map(m)["mountPath"] == "/tmp"))["name"];
            Assert.True(Map(Seq(pod["volumes"]).Single(v => (string)Map(v)["name"] == tmp)).ContainsKey("emptyDir"), $"{NameOf(workload)}: /tmp is not an emptyDir");
        }
        // Where the earlier subPath mount kept the data, so an upgraded deployment finds its database and queues.
        Assert.Equal("/var/lib/postgresql/data/data", EnvironmentOf(Container(workloads.Single(w => NameOf(w) == "pg")))["PGDATA"]);
        Assert.Equal("/var/lib/rabbitmq/data/mnesia", EnvironmentOf(Container(workloads.Single(w => NameOf(w) == "messaging")))["RABBITMQ_MNESIA_BASE"]);

        var environments = OfKind("Deployment").ToDictionary(NameOf, d => EnvironmentOf(Container(d)));
        Assert.Equal("172.16.0.0/12", environments["web"]["ForwardedHeaders__KnownNetworks__0"]);
        Assert.All(s_projects.Where(p => p != "web"), p => Assert.DoesNotContain("ForwardedHeaders__KnownNetworks__0", environments[p].Keys));
        Assert.All(s_projects, p => Assert.Equal("https://douyin.example.com", environments[p]["Douyin__PublicBaseUrl"]));
        Assert.All(["social", "chat", "feed"], p => Assert.Equal("secret:douyin-secrets/service-key", environments[p]["ServiceCredential__Key"]));
        Assert.DoesNotContain("ServiceCredential__Key", environments["web"].Keys);
        // Every project stops as configured, its grace period the sum: the preStop sleep, the drain, the stop and the margin.
        foreach (var deployment in OfKind("Deployment"))
        {
            Assert.Equal("3", Map(Map(Map(Container(deployment)["lifecycle"])["preStop"])["sleep"])["seconds"]);
            Assert.Equal("32", Map(Map(Map(deployment["spec"])["template"])["spec"])["terminationGracePeriodSeconds"]);
            Assert.Equal(("00:00:07", "00:00:20"), (environments[NameOf(deployment)]["Shutdown__DrainDelay"], environments[NameOf(deployment)]["Shutdown__StopTimeout"]));
        }

        // Defaults: any host, the usual private network.
        await PublishAsync("kubernetes", Path.Combine(_output, "defaults"));
        var web = EnvironmentOf(Container((await KustomizeAsync(Path.Combine(_output, "defaults"))).Single(o => (string)o["kind"] == "Deployment" && NameOf(o) == "web")));
        Assert.Equal("10.0.0.0/8", web["ForwardedHeaders__KnownNetworks__0"]);
        Assert.DoesNotContain("Douyin__PublicBaseUrl", web.Keys);
    }

    // `kubectl kustomize` builds the directory as `kubectl apply -k` would, without a cluster. CI has kubectl.
    private static async Task<List<Dictionary<object, object>>> KustomizeAsync(string directory)
    {
        var kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, OperatingSystem.IsWindows() ? "kubectl.exe" : "kubectl")).FirstOrDefault(File.Exists)
            ?? throw new Xunit.Sdk.XunitException("kubectl is not on PATH: install it (CI has it) to check what kustomize builds from the Kubernetes output.");
        var start = new ProcessStartInfo(kubectl, ["kustomize", directory]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(process.ExitCode == 0, $"kubectl kustomize failed: {error}");
        return ParseYaml(await output);
    }

    private const string OtelConfigMapName = "douyin-otel";

    // The AppHost's configuration for one publish: given on its command line, since Program.cs reads some of it (Replicas,
    // ConnectionStrings) while it builds the model.
    private sealed class Settings
    {
        public Dictionary<string, string> Configuration { get; } = [];
    }

    // Aspire's manifest publisher (as azd calls it), or our Kubernetes step of Aspire's publishing pipeline.
    private static async Task<string> PublishAsync(string publisher, string outputPath, Action<Settings>? configure = null)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), $"douyin-publish-data-{Guid.NewGuid():N}");
        var settings = new Settings();
        configure?.Invoke(settings);
        string[] mode = publisher == "kubernetes" ? ["--operation", "publish", "--step", "publish-kubernetes"] : ["--publisher", publisher];
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>(
            [.. mode, "--output-path", outputPath, $"--AppHost:DataPath={dataPath}", .. settings.Configuration.Select(s => $"--{s.Key}={s.Value}")], CancellationToken.None);
        await using var app = await builder.BuildAsync();
        await app.RunAsync();
        return dataPath;
    }

    // What varies by checkout: project paths (made relative to Douyin.AppHost/, where the manifest usually lives) and the
    // AppHost-path hash in volume names.
    private static string Normalise(string manifestFile)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(manifestFile))!;
        var appHostDirectory = Projects.Douyin_AppHost.ProjectPath;
        foreach (var (_, resource) in manifest["resources"]!.AsObject())
        {
            if ((string?)resource!["path"] is { } path)
            {
                resource["path"] = Path.GetRelativePath(appHostDirectory, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(manifestFile)!, path))).Replace('\\', '/');
            }
        }
        var text = manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        return Regex.Replace(text, "\"douyin\\.apphost-[0-9a-f]{10}-", "\"douyin.apphost-{hash}-");
    }

    private static string GoldenPath([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "golden", "aspire-manifest.json");

    private static string ProjectPath(string resource) => resource switch
    {
        "web" => new Projects.Douyin_Web().ProjectPath,
        "feed" => new Projects.Douyin_Feed().ProjectPath,
        "social" => new Projects.Douyin_Social().ProjectPath,
        _ => new Projects.Douyin_Chat().ProjectPath,
    };

    private static async Task<Dictionary<string, string>> MSBuildPropertiesAsync(string project, params string[] names)
    {
        var start = new ProcessStartInfo("dotnet", ["msbuild", project, .. names.Select(n => $"-getProperty:{n}")]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return JsonNode.Parse(output)!["Properties"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);
    }

    // file → its documents, as YamlDotNet reads them (scalars are strings).
    private static Dictionary<string, List<Dictionary<object, object>>> ReadYaml(string directory)
    {
        var files = new Dictionary<string, List<Dictionary<object, object>>>();
        foreach (var file in Directory.GetFiles(directory, "*.yaml"))
        {
            files[Path.GetFileName(file)] = ParseYaml(File.ReadAllText(file));
        }
        return files;
    }

    private static List<Dictionary<object, object>> ParseYaml(string text)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize<Dictionary<object, object>>(parser));
        }
        return documents;
    }

    private static Dictionary<object, object> Map(object node) => (Dictionary<object, object>)node;
    private static List<object> Seq(object node) => (List<object>)node;
    private static IEnumerable<string> Kinds(IEnumerable<Dictionary<object, object>> documents) => documents.Select(d => (string)d["kind"]);

    private static Dictionary<object, object> Container(Dictionary<object, object> workload) =>
        Map(Seq(Map(Map(Map(workload["spec"])["template"])["spec"])["containers"]).Single());

    // name → literal value, or "secret:<secret>/<key>" for a secretKeyRef.
    private static Dictionary<string, string> EnvironmentOf(Dictionary<object, object> container) =>
        Seq(container["env"]).Select(Map).ToDictionary(e => (string)e["name"], e => e.TryGetValue("value", out var value)
            ? (string)value
            : $"secret:{Map(Map(e["valueFrom"])["secretKeyRef"])["name"]}/{Map(Map(e["valueFrom"])["secretKeyRef"])["key"]}");
}
