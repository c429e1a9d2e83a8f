using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Douyin.Tests.Shared;

/// <summary>JWS tokens with whatever header and claims a test (or an attacker) chooses, signed by hand.</summary>
public static class ForgedTokens
{
    public const string Hs256Header = """{"alg":"HS256","typ":"JWT"}""";

    /// <summary>The claims our tokens carry, for <paramref name="userId"/> from <paramref name="issuedAt"/> for an hour.</summary>
    public static string Claims(long userId, DateTimeOffset issuedAt) =>
        $$"""{"sub":"{{userId}}","iss":"douyin","iat":{{issuedAt.ToUnixTimeSeconds()}},"exp":{{issuedAt.AddHours(1).ToUnixTimeSeconds()}}}""";

    /// <summary><paramref name="headerJson"/>.<paramref name="payloadJson"/>, signed by <paramref name="sign"/>; no signature when it is null.</summary>
    public static string Forge(string headerJson, string payloadJson, Func<byte[], byte[]>? sign)
    {
        var unsigned = $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(headerJson))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson))}";
        return $"{unsigned}.{(sign is null ? "" : Base64Url.EncodeToString(sign(Encoding.UTF8.GetBytes(unsigned))))}";
    }

    /// <summary>
    /// The same claims as exactly the hand-written TokenService signed them (<see cref="Hs256Header"/>, HMAC-SHA256) and
    /// under each other algorithm we refuse: none, HS512 with the key, and RS256 over an HMAC of the key (algorithm confusion).
    /// </summary>
    public static (string Ours, (string Algorithm, string Token)[] Others) WithEachAlgorithm(string key, string claims)
    {
        var secret = Encoding.UTF8.GetBytes(key);
        return (Forge(Hs256Header, claims, data => HMACSHA256.HashData(secret, data)),
        [
            ("none", Forge("""{"alg":"none","typ":"JWT"}""", claims, sign: null)),
            ("HS512", Forge("""{"alg":"HS512","typ":"JWT"}""", claims, data => HMACSHA512.HashData(secret, data))),
            ("RS256", Forge("""{"alg":"RS256","typ":"JWT"}""", claims, data => HMACSHA256.HashData(secret, data))),
        ]);
    }
}
