using Douyin.ServiceDefaults.Api;
using Douyin.ServiceDefaults.Users;
using Microsoft.Extensions.DependencyInjection;

namespace Douyin.ServiceDefaults.Users
{
    /// <summary>The body of Douyin.Social's internal batched card endpoint: users plus the viewer they are rendered for.</summary>
    public sealed record UserCardsRequest(IReadOnlyCollection<long> UserIds, long? ViewerId);

    public sealed record UserCardsResponse(IReadOnlyList<User> Users);

    /// <summary>
    /// How Feed and Chat render users: one call to Social per response, whatever the number of users in it.
    /// Image fields come back as paths; make them absolute with <see cref="PublicUrls"/> when answering a client.
    /// </summary>
    public sealed class UserCardsClient(HttpClient http)
    {
        public const string Path = "/internal/users/cards";
        public const int MaxBatch = 1000;

        public async Task<IReadOnlyDictionary<long, User>> GetCardsAsync(IReadOnlyCollection<long> userIds, long? viewerId, CancellationToken cancellationToken)
        {
            if (userIds.Count == 0)
            {
                return new Dictionary<long, User>();
            }

            var body = await http.PostReadAsync<UserCardsRequest, UserCardsResponse>(Path, new(userIds, viewerId), cancellationToken);
            return body?.Users.ToDictionary(u => u.Id) ?? [];
        }
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class UserCardsClientExtensions
    {
        /// <summary>A typed client for Social's card endpoint, addressed by service discovery (<c>http://social</c>).</summary>
        public static IHostApplicationBuilder AddUserCardsClient(this IHostApplicationBuilder builder)
        {
            builder.Services.AddHttpClient<UserCardsClient>(c => c.BaseAddress = new Uri($"http://{Douyin.ServiceDefaults.ResourceNames.Social}"));
            return builder;
        }
    }
}
