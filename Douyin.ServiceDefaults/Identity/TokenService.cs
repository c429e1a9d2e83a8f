using System.Globalization;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Identity;

public sealed class JwtOptions
{
    /// <summary>The HS256 key: at least 32 bytes of text. Locally an AppHost parameter; in production a secret.</summary>
    public string Key { get; set; } = "";

    public string Issuer { get; set; } = "douyin";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How far in the future a token's <c>iat</c> or <c>nbf</c> may be (another replica's clock running ahead). Expiry gets none.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>A token that passed validation: whose it is and until when.</summary>
public readonly record struct ValidToken(long UserId, DateTimeOffset ExpiresAt);

/// <summary>
/// The one token service: HS256 JWTs carrying the user id in <c>sub</c> (and <c>iss</c>, <c>iat</c>, <c>exp</c>, nothing
/// else), issued and validated by IdentityModel's <see cref="JsonWebTokenHandler"/>. JwtBearer validates requests with
/// the same <see cref="ValidationParameters"/>, so a token means the same everywhere. HS256 is the only algorithm
/// accepted, so <c>alg: none</c> and algorithm confusion are refused; the clock is <see cref="TimeProvider"/>.
/// </summary>
public sealed class TokenService
{
    /// <summary>Ours are about 200 characters; anything much longer is not one of ours and is not parsed.</summary>
    public const int MaxTokenLength = 2048;

    readonly JwtOptions _options;
    readonly SigningCredentials _signing;
    readonly TimeProvider _time;

    public TokenService(IOptions<JwtOptions> options, TimeProvider time)
    {
        _options = options.Value;
        var key = Encoding.UTF8.GetBytes(_options.Key ?? "");
        if (key.Length < 32)
        {
            throw new InvalidOperationException("Jwt:Key must be at least 32 bytes (set Jwt__Key; the AppHost passes its jwt-key parameter).");
        }
        _time = time;
        var signingKey = new SymmetricSecurityKey(key);
        _signing = new SigningCredentials(signingKey, SecurityAlgorithms.HmacSha256);
        // Times come from our clock, and no nbf is written: tokens look exactly as they did before IdentityModel wrote them.
        Handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false, MaximumTokenSizeInBytes = MaxTokenLength };
        ValidationParameters = new TokenValidationParameters
        {
            IssuerSigningKey = signingKey,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidTypes = [JwtConstants.HeaderType],
            ValidIssuer = _options.Issuer,
            ValidateAudience = false, // our tokens name no audience: every service of ours accepts them
            ClockSkew = _options.ClockSkew,
            LifetimeValidator = IsWithinLifetime,
        };
    }

    /// <summary>The handler JwtBearer is given, so it reads tokens with the same limits.</summary>
    public JsonWebTokenHandler Handler { get; }

    public TokenValidationParameters ValidationParameters { get; }

    public string Issue(long userId)
    {
        var now = _time.GetUtcNow();
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Claims = new Dictionary<string, object> { [JwtRegisteredClaimNames.Sub] = userId.ToString(CultureInfo.InvariantCulture) },
            IssuedAt = now.UtcDateTime,
            Expires = (now + _options.Lifetime).UtcDateTime,
            SigningCredentials = _signing,
        });
    }

    /// <summary>Validates signature, algorithm, issuer and lifetime; returns whose the token is and until when, or null.</summary>
    public async Task<ValidToken?> ReadAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        var result = await Handler.ValidateTokenAsync(token, ValidationParameters);
        return result.IsValid ? Read(result.SecurityToken) : null;
    }

    /// <summary>The user id of a valid token, or null.</summary>
    public async Task<long?> ValidateAsync(string? token) => (await ReadAsync(token))?.UserId;

    /// <summary>
    /// <see cref="ValidateAsync"/> for a caller that cannot await (the edge's rate-limit partitioner). Validation with a
    /// fixed key does no I/O, so the task has already completed and nothing blocks.
    /// </summary>
    public long? Validate(string? token) => ValidateAsync(token).GetAwaiter().GetResult();

    /// <summary>Whose a token that passed <see cref="ValidationParameters"/> is: null unless <c>sub</c> is a positive user id.</summary>
    public static ValidToken? Read(SecurityToken? token) =>
        token is JsonWebToken jwt
        && long.TryParse(jwt.Subject, NumberStyles.None, CultureInfo.InvariantCulture, out var userId) && userId > 0
            ? new ValidToken(userId, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero))
            : null;

    /// <summary>Unexpired by our clock (no grace), and neither issued nor valid from later than the clock skew allows.</summary>
    bool IsWithinLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var issuedAt = token is JsonWebToken { IssuedAt: var iat } && iat != DateTime.MinValue ? iat : (DateTime?)null;
        return expires > now && !(notBefore > now + parameters.ClockSkew) && !(issuedAt > now + parameters.ClockSkew);
    }
}
