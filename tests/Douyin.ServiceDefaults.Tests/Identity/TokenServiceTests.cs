using Microsoft.Extensions.Time.Testing;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Douyin.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Tests.Identity;

public sealed class TokenServiceTests
{
    const string Key = "test-key-test-key-test-key-test-key!";
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));

    TokenService Service(string key = Key) => new(Options.Create(new JwtOptions { Key = key, Lifetime = TimeSpan.FromHours(1) }), _time);

    [Fact]
    public void AnIssuedTokenValidatesToItsUser() =>
        Assert.Equal(42, Service().Validate(Service().Issue(42)));

    [Fact]
    public void ReadingATokenGivesItsUserAndWhenItExpires() =>
        Assert.Equal(new ValidToken(42, _time.GetUtcNow() + TimeSpan.FromHours(1)), Service().Read(Service().Issue(42)));

    [Fact]
    public void AnExpiredTokenIsRefused()
    {
        var token = Service().Issue(42);
        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Null(Service().Validate(token));
    }

    [Fact]
    public void ATamperedPayloadIsRefused()
    {
        var parts = Service().Issue(42).Split('.');
        var forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("""{"sub":"1","iss":"douyin","iat":0,"exp":99999999999}"""));
        Assert.Null(Service().Validate($"{parts[0]}.{forged}.{parts[2]}"));
    }

    [Fact]
    public void ATokenSignedWithAnotherKeyIsRefused() =>
        Assert.Null(Service().Validate(Service("another-key-another-key-another-key").Issue(42)));

    [Fact]
    public void AlgNoneIsRefused()
    {
        var header = Base64Url.EncodeToString("""{"alg":"none","typ":"JWT"}"""u8);
        var payload = Service().Issue(42).Split('.')[1];
        Assert.Null(Service().Validate($"{header}.{payload}."));
    }

    [Fact]
    public void AnotherAlgorithmWithAValidHmacIsRefused()
    {
        var header = Base64Url.EncodeToString("""{"alg":"HS512","typ":"JWT"}"""u8);
        var payload = Service().Issue(42).Split('.')[1];
        var signature = Base64Url.EncodeToString(HMACSHA512.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes($"{header}.{payload}")));
        Assert.Null(Service().Validate($"{header}.{payload}.{signature}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("a.b.c.d")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.!!!.???")]
    public void MalformedTokensAreRefused(string token) => Assert.Null(Service().Validate(token));

    [Fact]
    public void AShortKeyIsAConfigurationError() =>
        Assert.Throws<InvalidOperationException>(() => Service("short"));
}
