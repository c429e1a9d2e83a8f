using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Douyin.E2ETests.Infrastructure;

/// <summary>
/// One headless Chromium for the run: Debian's package (eng/setup.sh installs it), never a browser Playwright downloads.
/// Each test opens its own phone-sized contexts, so people in a test do not share storage or sessions.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Web-first assertions retry until this long; the app's async work (outbox, hub) takes a moment on 2 busy cores.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    readonly ConcurrentQueue<string> _policyViolations = new();

    /// <summary>What Chromium refused under the edge's Content-Security-Policy on any phone so far: the client must need nothing it forbids.</summary>
    public IReadOnlyCollection<string> PolicyViolations => _policyViolations;

    /// <summary>A new person on a phone: the client is mobile first.</summary>
    public async Task<IBrowserContext> NewPhoneAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new() { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
            Locale = "en-US",
        });
        // Chromium reports each refusal on the console ("Refused to connect to ... violates the following Content Security Policy directive").
        context.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _policyViolations.Enqueue(message.Text);
            }
        };
        return context;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
