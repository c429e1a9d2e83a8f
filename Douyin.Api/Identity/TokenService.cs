using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Options;

namespace Douyin.Api.Identity;

public sealed class JwtOptions
{
    /// <summary>The HS256 key: at least 32 bytes of text. Locally an AppHost parameter; in production a secret.</summary>
    public string Key { get; set; } = "";

    public string Issuer { get; set; } = "douyin";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How far in the future a token's <c>iat</c> or <c>nbf</c> may be (another replica's clock running ahead). Expiry gets none.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many validated tokens each process remembers (0: none), so a client's next requests skip validation.</summary>
    public int ValidatedTokens { get; set; } = 10_000;

    /// <summary>How long a validated token is remembered at most; never past its expiry.</summary>
    public TimeSpan ValidatedTokenTime { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>A token that passed validation: whose it is and until when.</summary>
public readonly record struct ValidToken(long UserId, DateTimeOffset ExpiresAt);

/// <summary>
/// The one token service: HS256 JWTs carrying the user id in <c>sub</c> (and <c>iss</c>, <c>iat</c>, <c>exp</c>, nothing
/// else), issued and validated by IdentityModel's <see cref="JsonWebTokenHandler"/>. JwtBearer validates requests with
/// the same <see cref="ValidationParameters"/>, so a token means the same everywhere. HS256 is the only algorithm
/// accepted, so <c>alg: none</c> and algorithm confusion are refused; the clock is <see cref="TimeProvider"/>.
/// A token that passed is remembered by its exact text (signed, so the same text always gives the same answer under
/// our key) until the earlier of its expiry and <see cref="JwtOptions.ValidatedTokenTime"/>, for at most
/// <see cref="JwtOptions.ValidatedTokens"/> tokens: the edge and the service each validate every request's token, and
/// a client sends the same one for days. Refusals are not remembered: a made-up token costs a validation each time
/// (the edge counts it against the caller's address), and takes no memory.
/// </summary>
public sealed class TokenService : IDisposable
{
    /// <summary>Ours are about 200 characters; anything much longer is not one of ours and is not parsed.</summary>
    public const int MaxTokenLength = 2048;

    readonly JwtOptions _options;
    readonly SigningCredentials _signing;
    readonly TimeProvider _time;
    readonly SecurityKey _signingKey;
    readonly MemoryCache? _validated;

    public TokenService(IOptions<JwtOptions> options, TimeProvider time)
    {
        _options = options.Value;
        var key = Encoding.UTF8.GetBytes(_options.Key ?? "");
        if (key.Length < 32)
        {
            throw new InvalidOperationException("Jwt:Key must be at least 32 bytes (set Jwt__Key; the AppHost passes its jwt-key parameter).");
        }
        _time = time;
        _signingKey = new SymmetricSecurityKey(key);
        _signing = new SigningCredentials(_signingKey, SecurityAlgorithms.HmacSha256);
        if (_options.ValidatedTokens > 0)
        {
            // The cache's clock is ours, so a remembered token expires the moment the token does.
            _validated = new MemoryCache(new MemoryCacheOptions { SizeLimit = _options.ValidatedTokens, Clock = new Clock(time) });
        }
        // Times come from our clock, and no nbf is written: tokens look exactly as they did before IdentityModel wrote them.
        Handler = new RememberingHandler(this) { SetDefaultTimesOnTokenCreation = false, MaximumTokenSizeInBytes = MaxTokenLength };
        ValidationParameters = new TokenValidationParameters
        {
            IssuerSigningKey = _signingKey,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidTypes = [JwtConstants.HeaderType],
            ValidIssuer = _options.Issuer,
            ValidateAudience = false, // our tokens name no audience: every service of ours accepts them
            ClockSkew = _options.ClockSkew,
            LifetimeValidator = IsWithinLifetime,
        };
    }

    /// <summary>The handler JwtBearer is given, so it reads tokens with the same limits and shares what was validated.</summary>
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
        if (Recall(token) is { } remembered)
        {
            return remembered.Valid;
        }
        var result = await Handler.ValidateTokenAsync(token, ValidationParameters);
        return result.IsValid ? Read(result.SecurityToken) : null;
    }

    /// <summary>The user id of a valid token, or null.</summary>
    public async Task<long?> ValidateAsync(string? token) => (await ReadAsync(token))?.UserId;

    /// <summary>
    /// <see cref="ValidateAsync"/> for a caller that cannot await (the edge's rate-limit partitioner). Validation with a
    /// fixed key does no I/O, so the task has already completed and nothing blocks; a remembered token is not even awaited.
    /// </summary>
    public long? Validate(string? token) =>
        token is not null && Recall(token) is { } remembered ? remembered.Valid.UserId : ValidateAsync(token).GetAwaiter().GetResult();

    /// <summary>How many validated tokens are remembered now.</summary>
    internal int RememberedCount => _validated?.Count ?? 0;

    public void Dispose() => _validated?.Dispose();

    /// <summary>Whose a token that passed <see cref="ValidationParameters"/> is: null unless <c>sub</c> is a positive user id.</summary>
    public static ValidToken? Read(SecurityToken? token) =>
        token is JsonWebToken jwt
        && long.TryParse(jwt.Subject, NumberStyles.None, CultureInfo.InvariantCulture, out var userId) && userId > 0
            ? new ValidToken(userId, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero))
            : null;

    Remembered? Recall(string token) => _validated is not null && _validated.TryGetValue(token, out Remembered? remembered) ? remembered : null;

    /// <summary>Keeps a token that passed until the earlier of its expiry and the configured time.</summary>
    void Remember(string token, TokenValidationResult result)
    {
        if (_validated is null || result.SecurityToken is not JsonWebToken jwt || Read(jwt) is not { } valid)
        {
            return;
        }
        var latest = _time.GetUtcNow() + _options.ValidatedTokenTime;
        var until = valid.ExpiresAt < latest ? valid.ExpiresAt : latest;
        // A full cache takes nothing more until it has compacted itself: the memory a flood of tokens can take is bounded.
        // The identity is a copy: this request's principal holds the original and may change it.
        _validated.Set(token, new Remembered(jwt, result.ClaimsIdentity.Clone(), valid), new MemoryCacheEntryOptions { AbsoluteExpiration = until, Size = 1 });
    }

    /// <summary>A validated token as JwtBearer needs it again (the token and its identity) and as our callers read it.</summary>
    sealed record Remembered(JsonWebToken Token, ClaimsIdentity Identity, ValidToken Valid);

    /// <summary>
    /// IdentityModel's handler, answering from what this service validated before. Only for parameters with our key (the
    /// copy JwtBearer makes of <see cref="ValidationParameters"/> for each request): what was remembered is what our
    /// key verified. The identity is copied for each request, since a principal's identities can be changed.
    /// Refusals go through unremembered.
    /// </summary>
    sealed class RememberingHandler(TokenService tokens) : JsonWebTokenHandler
    {
        public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            var ours = ReferenceEquals(validationParameters.IssuerSigningKey, tokens._signingKey);
            if (ours && tokens.Recall(token) is { } remembered)
            {
                return new TokenValidationResult
                {
                    IsValid = true,
                    SecurityToken = remembered.Token,
                    ClaimsIdentity = remembered.Identity.Clone(),
                    Issuer = remembered.Token.Issuer,
                    TokenType = remembered.Token.Typ,
                };
            }
            var result = await base.ValidateTokenAsync(token, validationParameters);
            if (ours && result.IsValid)
            {
                tokens.Remember(token, result);
            }
            return result;
        }
    }

    sealed class Clock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }

    /// <summary>Unexpired by our clock (no grace), and neither issued nor valid from later than the clock skew allows.</summary>
    bool IsWithinLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var issuedAt = token is JsonWebToken { IssuedAt: var iat } && iat != DateTime.MinValue ? iat : (DateTime?)null;
        return expires > now && !(notBefore > now + parameters.ClockSkew) && !(issuedAt > now + parameters.ClockSkew);
    }
}
