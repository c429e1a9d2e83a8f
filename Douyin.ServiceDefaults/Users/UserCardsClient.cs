using Douyin.ServiceDefaults.Api;
using Douyin.ServiceDefaults.Concurrency;
using Douyin.ServiceDefaults.Identity;
using Douyin.ServiceDefaults.Users;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Douyin.ServiceDefaults.Users
{
    /// <summary>The body of Douyin.Social's internal batched card endpoint: users plus the viewer they are rendered for.</summary>
    public sealed record UserCardsRequest(IReadOnlyCollection<long> UserIds, long? ViewerId);

    public sealed record UserCardsResponse(IReadOnlyList<User> Users);

    /// <summary>
    /// How Feed and Chat render users: one call to Social per response, whatever the number of users in it.
    /// Image fields come back as paths; make them absolute with <see cref="PublicUrls"/> when answering a client.
    /// </summary>
    public sealed class UserCardsClient(HttpClient http, UserCardRequests inFlight, ILogger<UserCardsClient> logger)
    {
        public const string Path = "/internal/users/cards";
        public const int MaxBatch = 1000;

        /// <summary>
        /// The cards of the users Social knows among <paramref name="userIds"/>. Identical requests made at the same
        /// moment (every anonymous viewer of the feed's first page asks for the same authors) share one call to Social.
        /// The dictionary may be shared with those callers: read it, do not change it.
        /// </summary>
        public Task<IReadOnlyDictionary<long, User>> GetCardsAsync(IReadOnlyCollection<long> userIds, long? viewerId, CancellationToken cancellationToken)
        {
            if (userIds.Count == 0)
            {
                return Task.FromResult<IReadOnlyDictionary<long, User>>(new Dictionary<long, User>());
            }
            var key = (viewerId, string.Join(',', userIds.Order()));
            return inFlight.RunAsync(key, async () =>
            {
                var body = await http.PostReadAsync<UserCardsRequest, UserCardsResponse>(Path, new(userIds, viewerId), CancellationToken.None);
                return body?.Users.ToDictionary(u => u.Id) ?? [];
            }, cancellationToken);
        }

        /// <summary>
        /// A card for every id, for lists that embed users (feeds, comments): a user Social does not know, or every
        /// user while Social cannot answer (down, its circuit open, too slow), gets <see cref="Placeholder"/>, so the
        /// list still answers. Caching cards here too would be a second copy of Social's own card cache to invalidate.
        /// </summary>
        public async Task<IReadOnlyDictionary<long, User>> GetCardsForDisplayAsync(IReadOnlyCollection<long> userIds, long? viewerId, CancellationToken cancellationToken)
        {
            IReadOnlyDictionary<long, User> cards;
            try
            {
                cards = await GetCardsAsync(userIds, viewerId, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("User cards unavailable, rendering placeholders: {Reason}", ex.Message);
                cards = new Dictionary<long, User>();
            }
            return userIds.ToDictionary(id => id, id => cards.GetValueOrDefault(id) ?? Placeholder(id));
        }

        /// <summary>A complete user object with only the id and a name clients can show.</summary>
        public static User Placeholder(long userId) => new() { Id = userId, Name = $"user {userId}" };
    }

    /// <summary>The card requests to Social in flight in this process, shared by identical callers.</summary>
    public sealed class UserCardRequests : SingleFlight<(long? ViewerId, string UserIds), IReadOnlyDictionary<long, User>>;

    /// <summary>Feed's and Chat's <see cref="UserDirectory"/>: a user exists if Social has a card for them (from its Redis card cache).</summary>
    public sealed class SocialUserDirectory(UserCardsClient users, IMemoryCache cache, ILogger<SocialUserDirectory> logger)
        : UserDirectory(cache, logger)
    {
        protected override async Task<bool> LookUpAsync(long userId, CancellationToken cancellationToken) =>
            (await users.GetCardsAsync([userId], viewerId: null, cancellationToken)).ContainsKey(userId);
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
