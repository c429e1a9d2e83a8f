using System.CommandLine;
using Douyin.Feed.Renditions;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The operator's one-off commands of the rendition pipeline, run with Feed's own image and configuration in place of
/// the service (locally <c>dotnet Douyin.Feed.dll renditions backfill</c>; in Kubernetes a Job with Feed's environment
/// and these arguments). The app is built but never started: no endpoint, consumer or relay runs in the command, it
/// only writes the jobs into the outbox, and the running Feed publishes and makes them.
/// </summary>
internal static class RenditionCommands
{
    public const string Name = "renditions";

    /// <summary>Exit codes besides 0 (done) and System.CommandLine's 1 (bad arguments).</summary>
    public const int ConfigurationMissing = 2;
    public const int DatabaseUnavailable = 3;

    public static bool IsCommand(string[] args) => args is [Name, ..];

    public static async Task<int> RunRenditionCommandAsync(this WebApplication app, string[] args)
    {
        var batch = new Option<int>("--batch")
        {
            Description = "Videos per batch; each batch is one transaction, so an interrupted run resumes where it stopped.",
            DefaultValueFactory = _ => 500,
        };
        batch.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                result.AddError("--batch must be between 1 and 10000.");
            }
        });
        var dryRun = new Option<bool>("--dry-run") { Description = "Count the jobs that would be enqueued; change nothing." };
        var backfill = new Command("backfill", "Enqueue a rendition job for every video that has no rendition and no job yet.") { batch, dryRun };
        backfill.SetAction((result, cancellationToken) => BackfillAsync(
            app, result.GetValue(batch), result.GetValue(dryRun), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        var root = new RootCommand("Douyin.Feed: run the service, or one of its operator commands.")
        {
            new Command(Name, "The streaming renditions of videos (docs/media.md).") { backfill },
        };
        return await root.Parse(args).InvokeAsync();
    }

    static async Task<int> BackfillAsync(WebApplication app, int batchSize, bool dryRun, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        const string Command = "renditions backfill";
        if (string.IsNullOrWhiteSpace(app.Configuration.GetConnectionString(ResourceNames.FeedDb)))
        {
            error.WriteLine($"{Command}: ConnectionStrings:{ResourceNames.FeedDb} is not set. Run it with Feed's configuration "
                + $"(e.g. the environment variable ConnectionStrings__{ResourceNames.FeedDb}, as the AppHost gives Feed).");
            return ConfigurationMissing;
        }
        if (!app.Services.GetRequiredService<IOptions<RenditionOptions>>().Value.Enabled)
        {
            error.WriteLine($"{Command}: Renditions:Enabled is false in this configuration. Turn renditions on first, "
                + "or the videos published after the backfill would need another one.");
            return ConfigurationMissing;
        }

        var mode = dryRun ? " (dry run)" : "";
        await using var scope = app.Services.CreateAsyncScope();
        try
        {
            var jobs = await scope.ServiceProvider.GetRequiredService<RenditionBackfill>().RunAsync(batchSize, dryRun, batch =>
                output.WriteLine($"{Command}{mode}: batch {batch.Number}, videos {batch.FirstId} to {batch.LastId}: "
                    + $"{batch.Jobs} {(dryRun ? "jobs would be enqueued" : "jobs enqueued")}"), cancellationToken);
            output.WriteLine(dryRun
                ? $"{Command}{mode}: {jobs} videos have no rendition and no job; nothing was changed."
                : $"{Command}: {jobs} rendition jobs enqueued in Feed's outbox; a running Feed publishes them to its queue and makes the renditions.");
            return 0;
        }
        catch (Exception ex) when ((ex is NpgsqlException or RetryLimitExceededException) && !cancellationToken.IsCancellationRequested)
        {
            // The batches committed so far stay enqueued; running the command again goes on from there.
            error.WriteLine($"{Command}: the database {ResourceNames.FeedDb} could not be used: {ex.GetBaseException().Message}");
            return DatabaseUnavailable;
        }
    }
}
