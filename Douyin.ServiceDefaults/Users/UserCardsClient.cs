using Douyin.ServiceDefaults.Api;
using Douyin.ServiceDefaults.Concurrency;
using Douyin.ServiceDefaults.Identity;
using Douyin.ServiceDefaults.Users;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Douyin.ServiceDefaults.Users
{
    /// <summary>
    /// The body of Douyin.Social's internal batched card endpoint: users, and optionally the viewer they are rendered
    /// for (is_follow). <see cref="UserCardsClient"/> asks without a viewer, so identical requests can be shared.
    /// </summary>
    public sealed record UserCardsRequest(IReadOnlyCollection<long> UserIds, long? ViewerId = null);

    public sealed record UserCardsResponse(IReadOnlyList<User> Users);

    /// <summary>The body of Social's internal is_follow endpoint: which of <c>UserIds</c> the viewer follows.</summary>
    public sealed record FollowedRequest(long ViewerId, IReadOnlyCollection<long> UserIds);

    public sealed record FollowedResponse(IReadOnlyList<long> UserIds);

    /// <summary>
    /// How Feed and Chat render users: one call to Social per response, whatever the number of users in it.
    /// Image fields come back as paths; make them absolute with <see cref="PublicUrls"/> when answering a client.
    /// </summary>
    public sealed class UserCardsClient(HttpClient http, UserCardRequests inFlight, ILogger<UserCardsClient> logger)
    {
        public const string Path = "/internal/users/cards";
        public const string FollowedPath = "/internal/users/followed";
        public const int MaxBatch = 1000;

        /// <summary>
        /// The viewer-independent cards (is_follow false) of the users Social knows among <paramref name="userIds"/>.
        /// Identical requests made at the same moment (every viewer of the feed's first page asks for the same authors)
        /// share one call to Social. The dictionary may be shared with those callers: read it, do not change it.
        /// </summary>
        public Task<IReadOnlyDictionary<long, User>> GetCardsAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
        {
            if (userIds.Count == 0)
            {
                return Task.FromResult<IReadOnlyDictionary<long, User>>(new Dictionary<long, User>());
            }
            return inFlight.RunAsync(string.Join(',', userIds.Order()), async () =>
            {
                var body = await http.PostReadAsync<UserCardsRequest, UserCardsResponse>(Path, new(userIds), CancellationToken.None);
                return body?.Users.ToDictionary(u => u.Id) ?? [];
            }, cancellationToken);
        }

        /// <summary>Which of <paramref name="userIds"/> the viewer follows: a small answer, so cards need not be rendered per viewer.</summary>
        public async Task<HashSet<long>> GetFollowedAsync(long viewerId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
        {
            if (userIds.Count == 0)
            {
                return [];
            }
            var body = await http.PostReadAsync<FollowedRequest, FollowedResponse>(FollowedPath, new(viewerId, userIds), cancellationToken);
            return [.. body?.UserIds ?? []];
        }

        /// <summary>
        /// A card for every id, as <paramref name="viewerId"/> sees it, for lists that embed users (feeds, comments).
        /// The cards (shared by concurrent viewers) and the viewer's follows are asked for at once. A user Social does
        /// not know, or every user while Social cannot answer (down, its circuit open, too slow), gets
        /// <see cref="Placeholder"/>, so the list still answers; without the follows, is_follow is false. Caching cards
        /// here too would be a second copy of Social's own card cache to invalidate.
        /// </summary>
        public async Task<IReadOnlyDictionary<long, User>> GetCardsForDisplayAsync(IReadOnlyCollection<long> userIds, long? viewerId, CancellationToken cancellationToken)
        {
            var followedTask = viewerId is { } viewer ? GetFollowedAsync(viewer, userIds, cancellationToken) : null;
            IReadOnlyDictionary<long, User> cards;
            HashSet<long> followed = [];
            try
            {
                cards = await GetCardsAsync(userIds, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("User cards unavailable, rendering placeholders: {Reason}", ex.Message);
                cards = new Dictionary<long, User>();
            }
            try
            {
                followed = followedTask is null ? [] : await followedTask;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Follows unavailable, rendering is_follow false: {Reason}", ex.Message);
            }

            var result = new Dictionary<long, User>(userIds.Count);
            foreach (var id in userIds)
            {
                var card = cards.GetValueOrDefault(id) ?? Placeholder(id);
                result[id] = followed.Contains(id) ? card with { IsFollow = true } : card;
            }
            return result;
        }

        /// <summary>A complete user object with only the id and a name clients can show.</summary>
        public static User Placeholder(long userId) => new() { Id = userId, Name = $"user {userId}" };
    }

    /// <summary>The card requests to Social in flight in this process, shared by identical callers.</summary>
    public sealed class UserCardRequests : SingleFlight<string, IReadOnlyDictionary<long, User>>;

    /// <summary>Feed's and Chat's <see cref="UserDirectory"/>: a user exists if Social has a card for them (from its Redis card cache).</summary>
    public sealed class SocialUserDirectory(UserCardsClient users, IMemoryCache cache, ILogger<SocialUserDirectory> logger)
        : UserDirectory(cache, logger)
    {
        protected override async Task<bool> LookUpAsync(long userId, CancellationToken cancellationToken) =>
            (await users.GetCardsAsync([userId], cancellationToken)).ContainsKey(userId);
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class UserCardsClientExtensions
    {
        /// <summary>A typed client for Social's card endpoint, addressed by service discovery (<c>http://social</c>).</summary>
        public static IHostApplicationBuilder AddUserCardsClient(this IHostApplicationBuilder builder)
        {
            builder.Services.AddSingleton<UserCardRequests>();
            builder.Services.AddHttpClient<UserCardsClient>(c => c.BaseAddress = new Uri($"http://{Douyin.ServiceDefaults.ResourceNames.Social}"));
            builder.AddUserDirectory<SocialUserDirectory>();
            return builder;
        }
    }
}
