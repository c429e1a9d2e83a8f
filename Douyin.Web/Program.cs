using Douyin.Web.Client;
using Douyin.Web.Media;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDouyinApi();
app.UseStaticFiles();

app.MapDefaultEndpoints();
app.MapGateway();
app.MapMediaApi();
app.MapClient();

app.Run();
