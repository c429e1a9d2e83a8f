using Douyin.Web.Client;
using Douyin.Web.Media;
using Douyin.Web.RateLimiting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseTrustedProxies();
app.UseSecurityHeaders();
app.UseDouyinApi();
app.UseCanonicalPaths();
app.UseRouting(); // after the path check: only canonical paths are routed, limited and forwarded
app.UseEdgeRateLimiting();
app.UseBodyLimit();
app.UseStaticFiles();

app.MapDefaultEndpoints();
app.MapGateway();
app.MapMediaApi();
app.MapClient();

app.Run();
