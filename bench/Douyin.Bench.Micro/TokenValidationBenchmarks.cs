using BenchmarkDotNet.Attributes;
using Douyin.Api.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Douyin.Bench.Micro;

/// <summary>
/// What a request's token costs: <see cref="TokenService.ReadAsync"/> (the edge's rate-limit partitioner) and JwtBearer's
/// whole authenticate step (a service), each on a valid token and on a made-up one, through the real registration of
/// <c>AddTokenAuthentication</c>. <see cref="ValidatedTokens"/> 0 is the code before tokens were remembered (every
/// call validates), so before and after are measured in one run.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    // A well-formed token signed with another key: what a client making tokens up sends.
    const string OtherKey = "made-up-key-made-up-key-made-up-key-made-up";

    WebApplication _app = null!;
    TokenService _tokens = null!;
    string _valid = null!;
    string _madeUp = null!;

    /// <summary><c>Jwt:ValidatedTokens</c>: how many validated tokens the process remembers.</summary>
    [Params(0, 10_000)]
    public int ValidatedTokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["Jwt:Key"] = "bench-key-bench-key-bench-key-bench-key";
        builder.Configuration["Jwt:ValidatedTokens"] = ValidatedTokens.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.AddTokenAuthentication();
        _app = builder.Build();
        _tokens = _app.Services.GetRequiredService<TokenService>();
        _valid = _tokens.Issue(4242);
        _madeUp = new TokenService(Microsoft.Extensions.Options.Options.Create(new JwtOptions { Key = OtherKey }), TimeProvider.System).Issue(4242);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _app.DisposeAsync();

    [Benchmark]
    public Task<ValidToken?> ReadAsyncValid() => _tokens.ReadAsync(_valid);

    [Benchmark]
    public Task<ValidToken?> ReadAsyncMadeUp() => _tokens.ReadAsync(_madeUp);

    /// <summary>The copy of the parameters JwtBearer makes for every request: also beyond any cache.</summary>
    [Benchmark]
    public object CloneValidationParameters() => _tokens.ValidationParameters.Clone();

    /// <summary>The step's cost without a token (scope, handler, events): what no token validation can save.</summary>
    [Benchmark]
    public Task<AuthenticateResult> AuthenticateNoToken() => AuthenticateAsync(null);

    [Benchmark]
    public Task<AuthenticateResult> AuthenticateValid() => AuthenticateAsync(_valid);

    [Benchmark]
    public Task<AuthenticateResult> AuthenticateMadeUp() => AuthenticateAsync(_madeUp);

    /// <summary>One request's authentication as the middleware runs it: a request scope, the default scheme's handler.</summary>
    async Task<AuthenticateResult> AuthenticateAsync(string? token)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Path = "/douyin/user/";
        context.Request.QueryString = token is null ? QueryString.Create("user_id", "4242") : QueryString.Create("token", token);
        return await context.AuthenticateAsync();
    }
}
