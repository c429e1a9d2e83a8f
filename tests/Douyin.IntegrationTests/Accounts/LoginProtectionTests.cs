using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Accounts;

[Collection(TightLimitsCollection.Name)]
public sealed class LoginProtectionTests(TightLimitsFixture fixture) : IDisposable
{
    const string Password = "secret-pw";
    readonly HttpClient _web = fixture.WebFrom("127.0.0.1");

    public void Dispose() => _web.Dispose();

    [Fact]
    public async Task TheSixthWrongPasswordIsRefusedWithRetryAfterAndSoIsTheRightOneUntilTheLockoutEnds()
    {
        var name = DouyinClient.UniqueName();
        await _web.RegisterAsync(name, Password);

        for (var i = 0; i < TightLimitsFixture.MaxFailuresPerAccount; i++)
        {
            var (wrong, _) = await LoginAsync(_web, name, "wrong-password");
            Assert.Equal(401, wrong.StatusCode());
        }
        var (sixth, sixthRetryAfter) = await LoginAsync(_web, name, "wrong-password");
        var (right, rightRetryAfter) = await LoginAsync(_web, name.ToUpperInvariant(), Password);

        Assert.Equal(429, sixth.StatusCode());
        Assert.Contains("Too many wrong passwords", sixth.StatusMsg());
        Assert.InRange(sixthRetryAfter!.Value, TimeSpan.FromSeconds(1), TightLimitsFixture.Window);
        Assert.Equal(429, right.StatusCode());
        Assert.Equal("", right["token"]!.GetValue<string>());
        Assert.NotNull(rightRetryAfter);

        await Task.Delay(rightRetryAfter.Value + TimeSpan.FromMilliseconds(500));
        var (afterLockout, _) = await LoginAsync(_web, name, Password);
        Assert.Equal(0, afterLockout.StatusCode());

        // The success reset the count: five more wrong passwords are answered as wrong, not refused.
        for (var i = 0; i < TightLimitsFixture.MaxFailuresPerAccount; i++)
        {
            Assert.Equal(401, (await LoginAsync(_web, name, "wrong-password")).Reply.StatusCode());
        }
    }

    [Fact]
    public async Task ALockoutThatFollowsALockoutIsLonger()
    {
        var name = DouyinClient.UniqueName();
        await _web.RegisterAsync(name, Password);

        var first = await LockOutAsync(name);
        await Task.Delay(first + TimeSpan.FromMilliseconds(500));
        var second = await LockOutAsync(name);

        Assert.True(second > first + TimeSpan.FromSeconds(TightLimitsFixture.Window.TotalSeconds / 2), $"first lockout {first}, second {second}");
    }

    [Fact]
    public async Task AnUnknownNameIsAnsweredAndLockedOutExactlyLikeAnAccount()
    {
        var known = DouyinClient.UniqueName();
        await _web.RegisterAsync(known, Password);
        var unknown = DouyinClient.UniqueName();

        var knownReplies = new List<(int, string, bool)>();
        var unknownReplies = new List<(int, string, bool)>();
        for (var i = 0; i <= TightLimitsFixture.MaxFailuresPerAccount; i++)
        {
            var (k, kWait) = await LoginAsync(_web, known, "wrong-password");
            var (u, uWait) = await LoginAsync(_web, unknown, "wrong-password");
            knownReplies.Add((k.StatusCode(), WithoutSeconds(k.StatusMsg()), kWait is not null));
            unknownReplies.Add((u.StatusCode(), WithoutSeconds(u.StatusMsg()), uWait is not null));
        }

        Assert.Equal(knownReplies, unknownReplies);
        Assert.Equal((429, true), (unknownReplies[^1].Item1, unknownReplies[^1].Item3));
    }

    [Fact]
    public async Task OneAddressSprayingManyAccountsMeetsThePrefixCeiling()
    {
        using var sprayer = fixture.WebFrom("[::1]");
        var victim = DouyinClient.UniqueName();
        await sprayer.RegisterAsync(victim, Password);

        // Each name is tried once: no account's own limit comes near, only the address's count.
        var replies = new ConcurrentBag<int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, TightLimitsFixture.MaxFailuresPerPrefix + 10), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (_, _) => replies.Add((await LoginAsync(sprayer, DouyinClient.UniqueName(), "wrong-password")).Reply.StatusCode()));
        var (victimFromSprayer, retryAfter) = await LoginAsync(sprayer, victim, Password);
        var (victimElsewhere, _) = await LoginAsync(_web, victim, Password);

        Assert.InRange(replies.Count(r => r == 401), 1, TightLimitsFixture.MaxFailuresPerPrefix);
        Assert.Contains(429, replies);
        Assert.Equal(429, victimFromSprayer.StatusCode());
        Assert.NotNull(retryAfter);
        Assert.Equal(0, victimElsewhere.StatusCode());
    }

    [Fact]
    public async Task FiveHundredUsersBehindOneAddressAllLogIn()
    {
        const int users = 500;
        var prefix = DouyinClient.UniqueName("n")[..12];
        var (template, _) = await _web.RegisterAsync(prefix, Password);
        // The others, prefix1 to prefix499, are copies of the first (same password hash): registering 500 through the
        // API would spend most of the test hashing passwords.
        await fixture.ScalarAsync("socialdb", """
            INSERT INTO users (id, name, normalized_name, password_hash, follow_count, follower_count, work_count, favorite_count, total_favorited, created_at)
            SELECT (SELECT max(id) FROM users) + g, name || g, normalized_name || g, password_hash, 0, 0, 0, 0, 0, created_at
            FROM users, generate_series(1, $2 - 1) AS g WHERE id = $1
            """, template, users);

        var failures = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var (reply, _) = await LoginAsync(_web, i == 0 ? prefix : prefix + i, Password);
            if (reply.StatusCode() != 0)
            {
                failures.Add($"{prefix}{i}: {reply.StatusCode()} {reply.StatusMsg()}");
            }
        });

        // How long they take is the hashing's cost on this machine, not the limits': only failures count against an address.
        Assert.True(failures.IsEmpty, $"{failures.Count} of {users} logins failed in {clock.Elapsed}, e.g. {string.Join("; ", failures.Take(3))}");
    }

    async Task<TimeSpan> LockOutAsync(string name)
    {
        for (var i = 0; i < TightLimitsFixture.MaxFailuresPerAccount; i++)
        {
            Assert.Equal(401, (await LoginAsync(_web, name, "wrong-password")).Reply.StatusCode());
        }
        var (refused, retryAfter) = await LoginAsync(_web, name, "wrong-password");
        Assert.Equal(429, refused.StatusCode());
        return retryAfter!.Value;
    }

    static async Task<(JsonObject Reply, TimeSpan? RetryAfter)> LoginAsync(HttpClient web, string name, string password)
    {
        using var response = await web.PostAsync($"/douyin/user/login/?username={Uri.EscapeDataString(name)}&password={Uri.EscapeDataString(password)}", null);
        return (await DouyinClient.ReadEnvelopeAsync(response), response.Headers.RetryAfter?.Delta);
    }

    static string WithoutSeconds(string message) => System.Text.RegularExpressions.Regex.Replace(message, "[0-9]+", "N");
}
