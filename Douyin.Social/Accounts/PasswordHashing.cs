using Microsoft.AspNetCore.Identity;

namespace Douyin.Social.Accounts;

/// <summary>The framework's PasswordHasher (PBKDF2), plus a decoy hash so a login for an unknown name costs the same as a wrong password.</summary>
public sealed class PasswordHashing
{
    readonly PasswordHasher<Account> _hasher = new();
    readonly string _decoyHash;

    public PasswordHashing() => _decoyHash = _hasher.HashPassword(null!, Guid.NewGuid().ToString());

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    public PasswordVerificationResult Verify(Account? account, string password) =>
        account is null
            ? Decoy(password)
            : _hasher.VerifyHashedPassword(account, account.PasswordHash, password);

    PasswordVerificationResult Decoy(string password)
    {
        _hasher.VerifyHashedPassword(null!, _decoyHash, password);
        return PasswordVerificationResult.Failed;
    }
}
