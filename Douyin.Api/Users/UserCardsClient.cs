using Douyin.Api;
using Douyin.ServiceDefaults.Concurrency;
using Douyin.Api.Identity;
using Douyin.Api.Users;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Douyin.Api.Users
{
    /// <summary>The body of Douyin.Social's internal batched card endpoint: users, and optionally the viewer they are rendered for.</summary>
    public sealed record UserCardsRequest(IReadOnlyCollection<long> UserIds, long? ViewerId = null);

    /// <summary>The cards (is_follow as the viewer sees it), and the ids among them that the viewer follows (none without a viewer).</summary>
    public sealed record UserCardsResponse(IReadOnlyList<User> Users, IReadOnlyList<long>? FollowedIds = null);

    /// <summary>The body of Social's internal is_follow endpoint: which of <c>UserIds</c> the viewer follows.</summary>
    public sealed record FollowedRequest(long ViewerId, IReadOnlyCollection<long> UserIds);

    public sealed record FollowedResponse(IReadOnlyList<long> UserIds);

    /// <summary>
    /// How Feed and Chat render users: one call to Social per response, whatever the number of users in it.
    /// Image fields come back as paths; make them absolute with <see cref="PublicUrls"/> when answering a client.
    /// </summary>
    public sealed class UserCardsClient(HttpClient http, UserCardRequests inFlight, ILogger<UserCardsClient> logger)
    {
        // Routes in Social's internal group, and the paths callers use.
        public const string Route = "/users/cards";
        public const string FollowedRoute = "/users/followed";
        public const string Path = ServiceCredential.PathPrefix + Route;
        public const string FollowedPath = ServiceCredential.PathPrefix + FollowedRoute;
        public const int MaxBatch = 1000;

        /// <summary>
        /// The cards of the users Social knows among <paramref name="userIds"/>, for who exists: is_follow is whichever
        /// viewer's the shared call was made for, so render with <see cref="GetCardsForDisplayAsync"/>. The dictionary may
        /// be shared with other callers: read it, do not change it.
        /// </summary>
        public async Task<IReadOnlyDictionary<long, User>> GetCardsAsync(IReadOnlyCollection<long> userIds, CancellationToken cancellationToken) =>
            userIds.Count == 0 ? new Dictionary<long, User>() : (await FetchSharedAsync(userIds, viewerId: null, out _, cancellationToken)).Cards;

        /// <summary>
        /// A card for every id, as <paramref name="viewerId"/> sees it, for lists that embed users (feeds, comments).
        /// Every viewer of the feed's first page asks for the same authors at the same moment, so requests for the same
        /// users share one call to Social, made for whichever viewer came first; the others ask Social only whom they
        /// follow among those users (a small answer) beside it. A user Social does not know, or every user while Social
        /// cannot answer (down, its circuit open, too slow), gets <see cref="Placeholder"/>, so the list still answers.
        /// Caching cards here too would be a second copy of Social's own card cache to invalidate.
        /// </summary>
        public async Task<IReadOnlyDictionary<long, User>> GetCardsForDisplayAsync(IReadOnlyCollection<long> userIds, long? viewerId, CancellationToken cancellationToken)
        {
            var cards = (IReadOnlyDictionary<long, User>)new Dictionary<long, User>();
            IReadOnlySet<long> followed = new HashSet<long>();
            if (userIds.Count > 0)
            {
                try
                {
                    var shared = FetchSharedAsync(userIds, viewerId, out var joined, cancellationToken);
                    // Only when the shared call is another viewer's: a user never follows themselves, so a list of the viewer alone needs none.
                    var ownFollowed = viewerId is { } viewer && joined && !(userIds.Count == 1 && userIds.Contains(viewer))
                        ? GetFollowedAsync(viewer, userIds, cancellationToken)
                        : null;
                    var result = await shared;
                    cards = result.Cards;
                    followed = result.ViewerId == viewerId ? result.Followed : ownFollowed is null ? followed : await ownFollowed;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    logger.LogWarning("User cards unavailable, rendering placeholders: {Reason}", ex.Message);
                }
            }

            var display = new Dictionary<long, User>(userIds.Count);
            foreach (var id in userIds)
            {
                var card = cards.GetValueOrDefault(id) ?? Placeholder(id);
                var isFollow = followed.Contains(id);
                display[id] = card.IsFollow == isFollow ? card : card with { IsFollow = isFollow };
            }
            return display;
        }

        /// <summary>Which of <paramref name="userIds"/> the viewer follows.</summary>
        public async Task<IReadOnlySet<long>> GetFollowedAsync(long viewerId, IReadOnlyCollection<long> userIds, CancellationToken cancellationToken)
        {
            var body = await http.PostReadAsync<FollowedRequest, FollowedResponse>(FollowedPath, new(viewerId, userIds), cancellationToken);
            return new HashSet<long>(body?.UserIds ?? []);
        }

        /// <summary>One call to Social for these users and this viewer, or the one in flight for these users (<paramref name="joined"/>), whoever it was for.</summary>
        Task<UserCardBatch> FetchSharedAsync(IReadOnlyCollection<long> userIds, long? viewerId, out bool joined, CancellationToken cancellationToken) =>
            inFlight.RunAsync(string.Join(',', userIds.Order()), async () =>
            {
                var body = await http.PostReadAsync<UserCardsRequest, UserCardsResponse>(Path, new(userIds, viewerId), CancellationToken.None);
                return new UserCardBatch(body?.Users.ToDictionary(u => u.Id) ?? [], viewerId, new HashSet<long>(body?.FollowedIds ?? []));
            }, out joined, cancellationToken);

        /// <summary>A complete user object with only the id and a name clients can show.</summary>
        public static User Placeholder(long userId) => new() { Id = userId, Name = $"user {userId}" };
    }

    /// <summary>One answer of Social's card endpoint: the cards as <c>ViewerId</c> sees them, and whom that viewer follows among them.</summary>
    public sealed record UserCardBatch(IReadOnlyDictionary<long, User> Cards, long? ViewerId, IReadOnlySet<long> Followed);

    /// <summary>
    /// The card requests to Social in flight in this process, keyed by their users and shared by any viewer's caller.
    /// A <see cref="SingleFlight{TKey, TValue}"/>, not HybridCache: a caller must know as it joins that the call is
    /// another viewer's, to ask for its own is_follow beside it.
    /// </summary>
    public sealed class UserCardRequests : SingleFlight<string, UserCardBatch>;

    /// <summary>Feed's and Chat's <see cref="UserDirectory"/>: a user exists if Social has a card for them (from its Redis card cache).</summary>
    public sealed class SocialUserDirectory(SocialUserLookups lookups, IMemoryCache cache, ILogger<SocialUserDirectory> logger)
        : UserDirectory(cache, logger)
    {
        protected override Task<bool> LookUpAsync(long userId, CancellationToken cancellationToken) => lookups.ExistsAsync(userId, cancellationToken);
    }

    /// <summary>
    /// Users the directory does not know yet, looked up together (<see cref="ExistenceLookups"/>, a singleton): thousands
    /// of tokens arriving at once (a traffic spike, the directory's minute running out) were otherwise thousands of
    /// single-user calls that kept Social busy for seconds.
    /// </summary>
    public sealed class SocialUserLookups(IServiceScopeFactory scopes) : ExistenceLookups
    {
        protected override async Task<IReadOnlySet<long>> FindAsync(long[] ids)
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserCardsClient>();
            // Not a caller's token: the call serves the whole batch (the client's timeout bounds it).
            var known = await users.GetCardsAsync(ids, CancellationToken.None);
            return known.Keys.ToHashSet();
        }
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class UserCardsClientExtensions
    {
        /// <summary>A typed client for Social's card endpoint, addressed by service discovery (<c>http://social</c>), sending the service credential.</summary>
        public static IHostApplicationBuilder AddUserCardsClient(this IHostApplicationBuilder builder)
        {
            builder.Services.AddSingleton<UserCardRequests>();
            builder.Services.AddSingleton<SocialUserLookups>();
            builder.AddServiceCredential();
            builder.Services.AddHttpClient<UserCardsClient>(c => c.BaseAddress = new Uri($"http://{Douyin.ServiceDefaults.ResourceNames.Social}"))
                .AddServiceCredential();
            builder.AddUserDirectory<SocialUserDirectory>();
            return builder;
        }
    }
}
