using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.EventBus;
using Douyin.EventBus.IntegrationEvents;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Douyin.IntegrationTests.Relations;

/// <summary>
/// What the relation tests see behind the public edge: Social's database (to count rows against counters), Social's
/// queue, and resource commands (to take dependencies away). The names are spelled out: ResourceNames is compiled into
/// both the AppHost and ServiceDefaults, which this project both references.
/// </summary>
public sealed class SocialBackstage(DouyinAppFixture fixture)
{
    /// <summary>Social's queue: its application name (EventBus:SubscriptionClientName is not set).</summary>
    public const string SocialQueue = "Douyin.Social";

    public Task<long> ScalarAsync(string sql, params object[] parameters) => fixture.ScalarAsync("socialdb", sql, parameters);

    /// <summary>The user's counters as stored, and what the follow rows say they should be.</summary>
    public async Task<(long FollowCount, long FollowerCount, long FollowRows, long FollowerRows)> CountersAsync(long userId) => (
        await ScalarAsync("SELECT follow_count FROM users WHERE id = $1", userId),
        await ScalarAsync("SELECT follower_count FROM users WHERE id = $1", userId),
        await ScalarAsync("SELECT count(*) FROM follows WHERE follower_id = $1", userId),
        await ScalarAsync("SELECT count(*) FROM follows WHERE followee_id = $1", userId));

    /// <summary>Messages in Social's queue that no consumer holds (RabbitMQ counts ready messages only).</summary>
    public Task<(uint Ready, uint Consumers)> SocialQueueAsync() => fixture.QueueAsync(SocialQueue);

    /// <summary>Stops a service, every replica of it (the AppHost runs each as a resource: feed, feed-1, ...).</summary>
    public Task StopAsync(string service) =>
        Task.WhenAll(fixture.App.ReplicaNames(service).Select(replica => fixture.App.RunCommandAsync(replica, KnownResourceCommands.StopCommand)));

    /// <summary>Starts every replica of a service again and waits until each is healthy.</summary>
    public async Task StartAsync(string service)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Task.WhenAll(fixture.App.ReplicaNames(service).Select(async replica =>
        {
            await fixture.App.RunCommandAsync(replica, KnownResourceCommands.StartCommand, timeout.Token);
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(replica, timeout.Token);
        }));
    }
}

/// <summary>Stands in for Douyin.Feed: an event bus of our own on the app's broker, publishing Feed's events as Feed would.</summary>
public sealed class FeedStandIn(IHost host) : IAsyncDisposable
{
    public static async Task<FeedStandIn> CreateAsync(DouyinAppFixture fixture)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "feed-stand-in" });
        builder.Configuration["ConnectionStrings:messaging"] = await fixture.App.GetConnectionStringAsync("messaging");
        builder.AddRabbitMqEventBus("messaging")
            .AddEvent<VideoPublishedIntegrationEvent>()
            .AddEvent<VideoFavoriteChangedIntegrationEvent>()
            .AddEvent<FavoriteCountsChangedIntegrationEvent>();
        return new(builder.Build()); // never started: it only publishes, so it needs no queue of its own
    }

    public Task PublishAsync(IntegrationEvent @event) => host.Services.GetRequiredService<IEventBus>().PublishAsync(@event);

    public ValueTask DisposeAsync() => ((IAsyncDisposable)host).DisposeAsync();
}

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting for {what}; last seen: {value}");
            }
            await Task.Delay(100);
        }
    }
}

/// <summary>The public calls the relation tests make again and again.</summary>
public static class RelationCalls
{
    public static Task<JsonObject> FollowAsync(this HttpClient web, string token, long toUserId, int actionType = 1) =>
        web.ApiPostAsync("/douyin/relation/action/", ("token", token), ("to_user_id", toUserId), ("action_type", actionType));

    public static Task<JsonObject> UnfollowAsync(this HttpClient web, string token, long toUserId) => web.FollowAsync(token, toUserId, 2);

    public static async Task<JsonObject> UserAsync(this HttpClient web, string token, long userId)
    {
        var reply = await web.ApiGetAsync("/douyin/user/", ("token", token), ("user_id", userId));
        Assert.Equal(0, reply.StatusCode());
        return reply["user"]!.AsObject();
    }

    public static long Long(this JsonNode node, string field) => node[field]!.GetValue<long>();

    public static bool Bool(this JsonNode node, string field) => node[field]!.GetValue<bool>();

    public static long[] Ids(this JsonObject listReply) => [.. listReply["user_list"]!.AsArray().Select(u => u!.Long("id"))];
}
