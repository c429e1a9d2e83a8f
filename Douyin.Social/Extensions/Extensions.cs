using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddDouyinApi();
        builder.AddTokenAuthentication();

        builder.AddNpgsqlDbContext<SocialDbContext>(ResourceNames.SocialDb, configureDbContextOptions: options =>
            // Migrations are written by hand (the EF design-time package is not in our registry), so there is no
            // model snapshot to compare with; SchemaTests checks the migrated schema against the model instead.
            options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
        builder.Services.AddMigration<SocialDbContext>();

        builder.AddRedisClient(ResourceNames.Cache);
        builder.AddRabbitMQClient(ResourceNames.Messaging);
        builder.AddIdGenerator();

        builder.Services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.SectionName);
        builder.Services.AddSingleton<PasswordHashing>();
        builder.Services.AddScoped<AccountService>();
        builder.Services.AddScoped<UserCards>();
    }
}
