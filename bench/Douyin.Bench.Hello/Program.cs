// The ceiling of one HTTP hop on this machine: Kestrel with one minimal-API endpoint and default logging off the hot path.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/hello", () => "Hello, World!");
app.Run();
