using Douyin.AppHost;
using Douyin.AppHost.LocalServers;
using Douyin.Hosting.Kubernetes;

// --no-dashboard: no dashboard and no telemetry export to it (bench/run.sh measures the services alone). A lone "--"
// (`dotnet Douyin.AppHost.dll -- --publisher manifest`) separates nothing here.
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
{
    Args = [.. args.Where(a => a is not ("--no-dashboard" or "--"))],
    DisableDashboard = args.Contains("--no-dashboard"),
});
builder.RunReplicasAsResources();
builder.SkipProxyForSingleReplicas();
builder.ConfigureProjectsForRunMode();
builder.AddKubernetesPublishing();
builder.LogResourcesWhenHealthy();
builder.PollUnhealthyResources();

// HS256 wants a key of at least 32 bytes; the default password length (22) is too short.
var jwtKey = builder.AddParameter(ResourceNames.JwtKey, new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);
// What Feed, Social and Chat present to each other's /internal endpoints. Not given to web: the edge neither serves nor calls them.
var serviceKey = builder.AddParameter(ResourceNames.ServiceKey, new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);

// Feed, Social and Chat are stateless and scale out. The local run starts one of each (Replicas=2 to try more);
// a published deployment starts with two, so one pod can fail or roll without an outage.
var replicas = builder.Configuration.GetValue("Replicas", builder.ExecutionContext.IsPublishMode ? 2 : 1);

// Backing services (LocalServers/): local processes in run mode, Aspire's containers when published or with Douyin:Containers=true,
// an existing server where ConnectionStrings:<name> names one.
var postgres = builder.AddPostgresServer(ResourceNames.Postgres);
var feedDb = postgres.AddDatabase(ResourceNames.FeedDb);
var socialDb = postgres.AddDatabase(ResourceNames.SocialDb);
var chatDb = postgres.AddDatabase(ResourceNames.ChatDb);

var cache = builder.AddRedisServer(ResourceNames.Cache);
var messaging = builder.AddRabbitMQServer(ResourceNames.Messaging);
var blobs = builder.AddAzureStorage(ResourceNames.Storage)
    .RunAsEmulator()
    .AddBlobs(ResourceNames.Blobs);

var social = builder.AddProject<Projects.Douyin_Social>(ResourceNames.Social)
    .WithReplicas(replicas)
    .WithReference(socialDb).WithReference(cache).WithReference(messaging)
    .WithEnvironment("Jwt__Key", jwtKey)
    .WithEnvironment("ServiceCredential__Key", serviceKey)
    .WithHttpHealthCheck("/health")
    .WaitFor(socialDb).WaitFor(cache).WaitFor(messaging);

var chat = builder.AddProject<Projects.Douyin_Chat>(ResourceNames.Chat)
    .WithReplicas(replicas)
    .WithReference(chatDb).WithReference(cache)
    .WithReference(social)
    .WithEnvironment("Jwt__Key", jwtKey)
    .WithEnvironment("ServiceCredential__Key", serviceKey)
    .WithHttpHealthCheck("/health")
    .WaitFor(chatDb).WaitFor(cache);

// The friend list asks Chat for the latest messages: a reference both ways is fine, a WaitFor both ways would be a cycle.
social.WithReference(chat);

var feed = builder.AddProject<Projects.Douyin_Feed>(ResourceNames.Feed)
    .WithReplicas(replicas)
    .WithReference(feedDb).WithReference(cache).WithReference(messaging).WithReference(blobs)
    .WithReference(social)
    .WithEnvironment("Jwt__Key", jwtKey)
    .WithEnvironment("ServiceCredential__Key", serviceKey)
    .WithHttpHealthCheck("/health")
    .WaitFor(feedDb).WaitFor(cache).WaitFor(messaging).WaitFor(blobs);

builder.AddProject<Projects.Douyin_Web>(ResourceNames.Web)
    .WithExternalHttpEndpoints()
    .WithReference(social).WithReference(feed).WithReference(chat).WithReference(blobs)
    .WithEnvironment("Jwt__Key", jwtKey) // rate limits are per user, so the edge reads tokens too
    .WithHttpHealthCheck("/health")
    .WaitFor(social).WaitFor(feed).WaitFor(chat);

builder.Build().Run();
