using System.Net;

namespace Douyin.E2ETests;

/// <summary>How Web serves the client: its page for the client's routes, never for the server's own paths.</summary>
[Collection(E2ECollection.Name)]
public sealed class ServingTests(DouyinAppFixture app)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    [InlineData("/users/123/followers")]
    [InlineData("/chat/42")]
    public async Task ClientRoutesGetTheClientPage(string path)
    {
        using var response = await app.Web.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" crossorigin src=\"/app/assets/", page);
    }

    [Theory]
    [InlineData("/app/assets/missing.js")]
    [InlineData("/media/missing.mp4")]
    [InlineData("/hubs/unknown")]
    [InlineData("/assets/missing.svg")]
    [InlineData("/missing.png")]
    public async Task ServerPathsAreNeverAnsweredWithThePage(string path)
    {
        using var response = await app.Web.GetAsync(path);

        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TheClientsScriptIsServedByWebItself()
    {
        var page = await app.Web.GetStringAsync("/");
        var script = System.Text.RegularExpressions.Regex.Match(page, "src=\"(/app/assets/[^\"]+\\.js)\"").Groups[1].Value;

        using var response = await app.Web.GetAsync(script);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
    }
}
