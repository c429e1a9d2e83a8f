using Douyin.Feed.Publishing;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseDouyinApi();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapVideosApi();
app.MapPublishApi();
app.MapFavoritesApi();
app.MapCommentsApi();

app.Run();
