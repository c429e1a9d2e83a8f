using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Douyin.Api.Identity
{
    /// <summary>
    /// Whether a token's user still exists. A token stays valid for its lifetime even if its account is removed, so
    /// <see cref="TokenAuthenticationHandler"/> asks here before accepting it. Answers are kept in memory for
    /// <see cref="TimeToLive"/>, so a busy caller costs one lookup a minute per process (and a removed account is
    /// refused within that minute). A lookup that fails (Social down) accepts the token uncached: it is still signed
    /// by us, and refusing every caller while Social is down would stop writes that do not need Social.
    /// </summary>
    public abstract class UserDirectory(IMemoryCache cache, ILogger logger)
    {
        public static readonly TimeSpan TimeToLive = TimeSpan.FromMinutes(1);

        /// <summary>Whether the user exists; true when that cannot be told now (see above).</summary>
        public async Task<bool> ExistsAsync(long userId, CancellationToken cancellationToken)
        {
            if (await FindAsync(userId, cancellationToken) is { } exists)
            {
                return exists;
            }
            logger.LogWarning("Cannot check that user {UserId} exists, accepting the token", userId);
            return true;
        }

        /// <summary>
        /// Whether the user exists, or null when that cannot be told now (the lookup failed), for callers that must
        /// refuse rather than guess (a message to a recipient nobody can vouch for).
        /// </summary>
        public async Task<bool?> FindAsync(long userId, CancellationToken cancellationToken)
        {
            var key = (typeof(UserDirectory), userId);
            if (cache.TryGetValue(key, out bool exists))
            {
                return exists;
            }
            try
            {
                exists = await LookUpAsync(userId, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Cannot look up user {UserId}: {Reason}", userId, ex.Message);
                return null;
            }
            cache.Set(key, exists, TimeToLive);
            return exists;
        }

        protected abstract Task<bool> LookUpAsync(long userId, CancellationToken cancellationToken);
    }
}

namespace Microsoft.Extensions.Hosting
{
    using Douyin.Api.Identity;

    public static class UserDirectoryExtensions
    {
        /// <summary>Makes token authentication refuse tokens of users <typeparamref name="T"/> does not know.</summary>
        public static IHostApplicationBuilder AddUserDirectory<T>(this IHostApplicationBuilder builder) where T : UserDirectory
        {
            builder.Services.AddMemoryCache();
            builder.Services.AddScoped<UserDirectory, T>();
            return builder;
        }
    }
}
