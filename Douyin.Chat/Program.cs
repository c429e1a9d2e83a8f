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
app.MapChatHub();

app.Run();
