using Douyin.Api.Identity;
using Microsoft.Extensions.Caching.Memory;

namespace Douyin.Social.Accounts;

/// <summary>Social's <see cref="UserDirectory"/>: it owns the accounts, so it asks its own database.</summary>
public sealed class AccountDirectory(SocialDbContext db, IMemoryCache cache, ILogger<AccountDirectory> logger) : UserDirectory(cache, logger)
{
    protected override Task<bool> LookUpAsync(long userId, CancellationToken cancellationToken) =>
        db.Accounts.AnyAsync(a => a.Id == userId, cancellationToken);
}
