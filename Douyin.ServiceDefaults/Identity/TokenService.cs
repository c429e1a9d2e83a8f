using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Identity;

public sealed class JwtOptions
{
    /// <summary>The HS256 key: at least 32 bytes of text. Locally an AppHost parameter; in production a secret.</summary>
    public string Key { get; set; } = "";

    public string Issuer { get; set; } = "douyin";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>A token that passed validation: whose it is and until when.</summary>
public readonly record struct ValidToken(long UserId, DateTimeOffset ExpiresAt);

/// <summary>
/// The one token service: HS256 JWTs carrying the user id in <c>sub</c>. Written against the RFC because the
/// JwtBearer/IdentityModel packages cannot be restored here; it accepts exactly one algorithm, so <c>alg: none</c>
/// and algorithm confusion are refused by construction.
/// </summary>
public sealed class TokenService
{
    // {"alg":"HS256","typ":"JWT"}, encoded once.
    static readonly string s_header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);

    readonly byte[] _key;
    readonly string _issuer;
    readonly TimeSpan _lifetime;
    readonly TimeProvider _time;

    public TokenService(IOptions<JwtOptions> options, TimeProvider time)
    {
        var o = options.Value;
        _key = Encoding.UTF8.GetBytes(o.Key ?? "");
        if (_key.Length < 32)
        {
            throw new InvalidOperationException("Jwt:Key must be at least 32 bytes (set Jwt__Key; the AppHost passes its jwt-key parameter).");
        }
        _issuer = o.Issuer;
        _lifetime = o.Lifetime;
        _time = time;
    }

    public string Issue(long userId)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Claims(userId.ToString(System.Globalization.CultureInfo.InvariantCulture), _issuer, now, now + (long)_lifetime.TotalSeconds));
        var unsigned = $"{s_header}.{Base64Url.EncodeToString(payload)}";
        return $"{unsigned}.{Base64Url.EncodeToString(Sign(unsigned))}";
    }

    /// <summary>Validates signature, algorithm, issuer and lifetime; returns the user id or null.</summary>
    public long? Validate(string? token) => Read(token)?.UserId;

    /// <summary>Like <see cref="Validate"/>, with when the token expires (an authentication ticket's expiry).</summary>
    public ValidToken? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 2048)
        {
            return null;
        }

        var firstDot = token.IndexOf('.');
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot == firstDot || token.AsSpan(firstDot + 1, lastDot - firstDot - 1).Contains('.'))
        {
            return null;
        }

        // Comparing the header text pins the algorithm: a token that says anything but HS256 fails here.
        if (!token.AsSpan(0, firstDot).SequenceEqual(s_header))
        {
            return null;
        }

        try
        {
            Span<byte> signature = stackalloc byte[64];
            if (!Base64Url.TryDecodeFromChars(token.AsSpan(lastDot + 1), signature, out var signatureLength)
                || !CryptographicOperations.FixedTimeEquals(signature[..signatureLength], Sign(token.AsSpan(0, lastDot))))
            {
                return null;
            }

            var claims = JsonSerializer.Deserialize<Claims>(Base64Url.DecodeFromChars(token.AsSpan(firstDot + 1, lastDot - firstDot - 1)));
            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            return claims is not null && claims.iss == _issuer && claims.exp > now && claims.iat <= now + 60
                && long.TryParse(claims.sub, out var userId) && userId > 0
                ? new ValidToken(userId, DateTimeOffset.FromUnixTimeSeconds(claims.exp))
                : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null; // Base64Url throws on characters outside its alphabet, even in TryDecode
        }
    }

    byte[] Sign(ReadOnlySpan<char> unsigned)
    {
        Span<byte> buffer = stackalloc byte[Encoding.UTF8.GetMaxByteCount(unsigned.Length)];
        var length = Encoding.UTF8.GetBytes(unsigned, buffer);
        return HMACSHA256.HashData(_key, buffer[..length]);
    }

#pragma warning disable IDE1006 // JWT claim names are lower case by the RFC.
    sealed record Claims(string sub, string iss, long iat, long exp);
#pragma warning restore IDE1006
}
