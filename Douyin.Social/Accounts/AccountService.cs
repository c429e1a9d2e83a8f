using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Douyin.Social.Accounts;

public sealed class AccountService(
    SocialDbContext db,
    PasswordHashing passwords,
    SnowflakeIdGenerator ids,
    TokenService tokens,
    TimeProvider time,
    ILogger<AccountService> logger)
{
    public async Task<AuthResponse> RegisterAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        // A new name must also look like no other; login keeps the plain rules, so it finds any existing account.
        if ((TextRules.CheckName(username, "username", 1, Account.MaxNameLength) ?? ValidateCredentials(username, password)) is { } invalid)
        {
            return ApiResponse.Fail<AuthResponse>(invalid);
        }

        var account = new Account
        {
            Id = ids.NextId(),
            Name = username!.Trim(),
            NormalizedName = Account.Normalize(username),
            PasswordHash = passwords.Hash(password!),
            CreatedAt = time.GetUtcNow(),
        };
        db.Accounts.Add(account);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The unique index decides between concurrent registrations of one name: exactly one wins.
            return ApiResponse.Fail<AuthResponse>(ApiStatus.Conflict, "That username is taken.");
        }

        logger.LogInformation("Registered user {UserId}", account.Id);
        return new AuthResponse { UserId = account.Id, Token = tokens.Issue(account.Id) };
    }

    public async Task<AuthResponse> LoginAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        if (ValidateCredentials(username, password) is not null)
        {
            return ApiResponse.Fail<AuthResponse>(ApiStatus.Unauthorized, "Wrong username or password.");
        }

        var normalized = Account.Normalize(username!);
        var account = await db.Accounts.SingleOrDefaultAsync(a => a.NormalizedName == normalized, cancellationToken);
        // Unknown name and wrong password answer alike, after the same hashing work.
        switch (passwords.Verify(account, password!))
        {
            case PasswordVerificationResult.Failed:
                return ApiResponse.Fail<AuthResponse>(ApiStatus.Unauthorized, "Wrong username or password.");
            case PasswordVerificationResult.SuccessRehashNeeded:
                account!.PasswordHash = passwords.Hash(password!);
                await db.SaveChangesAsync(cancellationToken);
                break;
        }

        return new AuthResponse { UserId = account!.Id, Token = tokens.Issue(account.Id) };
    }

    static ApiError? ValidateCredentials(string? username, string? password) =>
        TextRules.Check(username, "username", 1, Account.MaxNameLength)
        ?? TextRules.Check(password, "password", Account.MinPasswordLength, Account.MaxPasswordLength);
}
