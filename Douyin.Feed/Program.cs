using Douyin.Feed.Publishing;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// An operator's one-off command (`renditions backfill`) runs with Feed's configuration instead of the service.
if (RenditionCommands.IsCommand(args))
{
    return await app.RunRenditionCommandAsync(args);
}

app.UseDouyinApi();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapVideosApi();
app.MapPublishApi();
app.MapFavoritesApi();
app.MapCommentsApi();

app.Run();
return 0;
