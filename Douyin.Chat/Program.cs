var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDouyinApi();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapMessagesApi();
app.MapLatestMessagesApi();
// A connection lives as long as its token: with an expired token a client can no longer listen (nor send).
app.MapHub<ChatHub>(ChatHub.Path, hub => hub.CloseOnAuthenticationExpiration = true);

app.Run();
