using Microsoft.Extensions.Time.Testing;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Douyin.Api.Identity;
using Douyin.Tests.Shared;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Tests.Identity;

public sealed class TokenServiceTests
{
    const string Key = "test-key-test-key-test-key-test-key!";
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));

    TokenService Service(string key = Key, int validatedTokens = 10_000) =>
        new(Options.Create(new JwtOptions { Key = key, Lifetime = TimeSpan.FromHours(1), ValidatedTokens = validatedTokens }), _time);

    string Claims(long userId) => ForgedTokens.Claims(userId, _time.GetUtcNow());

    static string Signed(string claims) => ForgedTokens.WithEachAlgorithm(Key, claims).Ours;

    [Fact]
    public async Task AnIssuedTokenValidatesToItsUser() =>
        Assert.Equal(42, await Service().ValidateAsync(Service().Issue(42)));

    [Fact]
    public async Task ReadingATokenGivesItsUserAndWhenItExpires() =>
        Assert.Equal(new ValidToken(42, _time.GetUtcNow() + TimeSpan.FromHours(1)), await Service().ReadAsync(Service().Issue(42)));

    /// <summary>Tokens keep the shape the hand-written service gave them, so neither kind needs a new login.</summary>
    [Fact]
    public async Task ATokenIsAPlainHs256JwtOfSubIssIatAndExpAndOnesIssuedBeforeIdentityModelStillValidate()
    {
        var parts = Service().Issue(42).Split('.');
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        Assert.Equal(["exp", "iat", "iss", "sub"], payload.RootElement.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(ForgedTokens.Hs256Header, Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));

        // Exactly the bytes the hand-written TokenService wrote: that header text, these claims, HMAC-SHA256 with the key.
        Assert.Equal(42, await Service().ValidateAsync(Signed(Claims(42))));
    }

    [Fact]
    public async Task AnExpiredTokenIsRefusedTheSecondItExpires()
    {
        var token = Service().Issue(42);
        _time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1));
        Assert.Equal(42, await Service().ValidateAsync(token));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Service().ValidateAsync(token));
    }

    [Fact]
    public async Task ARememberedTokenIsRefusedTheSecondItExpires()
    {
        using var service = Service();
        var token = service.Issue(42);
        _time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(10));
        Assert.Equal(42, await service.ValidateAsync(token));
        Assert.Equal(1, service.RememberedCount);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(42, service.Validate(token));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(service.Validate(token));
        Assert.Null(await service.ReadAsync(token));
    }

    [Fact]
    public async Task TheRememberedTokensStayBoundedUnderManyDistinctTokens()
    {
        using var service = Service(validatedTokens: 16);
        for (var userId = 1; userId <= 500; userId++)
        {
            var token = service.Issue(userId);
            Assert.Equal(userId, await service.ValidateAsync(token));
            Assert.Equal(userId, service.Validate(token));
            Assert.InRange(service.RememberedCount, 1, 16);
        }
    }

    [Fact]
    public async Task WithoutRememberingEveryTokenIsStillValidated()
    {
        using var service = Service(validatedTokens: 0);
        var token = service.Issue(42);
        Assert.Equal(42, await service.ValidateAsync(token));
        Assert.Equal(0, service.RememberedCount);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Null(service.Validate(token));
    }

    [Fact]
    public async Task ATokenIssuedFurtherAheadThanTheClockSkewIsRefused()
    {
        // Another replica's clock a little ahead is tolerated; one more than a minute ahead is not.
        string IssuedAhead(TimeSpan ahead) =>
            new TokenService(Options.Create(new JwtOptions { Key = Key }), new FakeTimeProvider(_time.GetUtcNow() + ahead)).Issue(42);
        Assert.Equal(42, await Service().ValidateAsync(IssuedAhead(TimeSpan.FromSeconds(59))));
        Assert.Null(await Service().ValidateAsync(IssuedAhead(TimeSpan.FromSeconds(61))));
    }

    [Fact]
    public async Task ATamperedPayloadIsRefused()
    {
        var parts = Service().Issue(42).Split('.');
        var forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("""{"sub":"1","iss":"douyin","iat":0,"exp":99999999999}"""));
        Assert.Null(await Service().ValidateAsync($"{parts[0]}.{forged}.{parts[2]}"));
    }

    [Fact]
    public async Task ATokenSignedWithAnotherKeyIsRefused() =>
        Assert.Null(await Service().ValidateAsync(Service("another-key-another-key-another-key").Issue(42)));

    [Fact]
    public async Task AnotherIssuerOrASubjectThatIsNoUserIdIsRefused()
    {
        Assert.Null(await Service().ValidateAsync(Signed(Claims(42).Replace("\"douyin\"", "\"someone-else\""))));
        Assert.Null(await Service().ValidateAsync(Signed(Claims(0))));
        Assert.Null(await Service().ValidateAsync(Signed(Claims(42).Replace("\"42\"", "\"alice\""))));
    }

    /// <summary>alg none, HS512 with our key, and RS256 over an HMAC of our key (algorithm confusion) are all refused.</summary>
    [Fact]
    public async Task EveryAlgorithmButHs256IsRefused()
    {
        foreach (var (algorithm, token) in ForgedTokens.WithEachAlgorithm(Key, Claims(42)).Others)
        {
            Assert.True(await Service().ValidateAsync(token) is null, $"{algorithm} was accepted");
        }
    }

    [Fact]
    public async Task AnRs256TokenWithARealRsaSignatureIsRefused()
    {
        using var rsa = RSA.Create(2048);
        var token = ForgedTokens.Forge("""{"alg":"RS256","typ":"JWT"}""", Claims(42), data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Null(await Service().ValidateAsync(token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("a.b.c.d")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.!!!.???")]
    public async Task MalformedTokensAreRefused(string token) => Assert.Null(await Service().ValidateAsync(token));

    [Fact]
    public async Task AnOverlongTokenIsRefusedUnread() =>
        Assert.Null(await Service().ValidateAsync(Service().Issue(42) + new string('A', TokenService.MaxTokenLength)));

    [Fact]
    public void TheSynchronousCheckOfTheEdgeAgrees()
    {
        Assert.Equal(42, Service().Validate(Service().Issue(42)));
        Assert.Null(Service().Validate(Service("another-key-another-key-another-key").Issue(42)));
    }

    [Fact]
    public void AShortKeyIsAConfigurationError() =>
        Assert.Throws<InvalidOperationException>(() => Service("short"));
}
