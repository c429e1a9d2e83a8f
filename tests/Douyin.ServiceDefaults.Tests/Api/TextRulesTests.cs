using Douyin.Api;

namespace Douyin.ServiceDefaults.Tests.Api;

public sealed class TextRulesTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("抖音用户")]
    [InlineData("😀😀😀")] // three characters, six UTF-16 units
    public void AcceptsOrdinaryText(string value) => Assert.Null(TextRules.Check(value, "name", 1, 3 * 2));

    [Fact]
    public void CountsCharactersNotUtf16Units() =>
        Assert.Null(TextRules.Check(string.Concat(Enumerable.Repeat("😀", 32)), "username", 1, 32));

    [Theory]
    [InlineData(null, "required")]
    [InlineData("   ", "required")]
    [InlineData("a\u0000b", "control")]
    [InlineData("a\u001bb", "control")]
    [InlineData("abcdefghi", "1 to 8")]
    public void RefusesBadText(string? value, string reason)
    {
        var error = TextRules.Check(value, "name", 1, 8);
        Assert.NotNull(error);
        Assert.Equal(ApiStatus.BadRequest, error.Status);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void RefusesLoneSurrogates()
    {
        // Built in code: xUnit's serialiser would replace a lone surrogate in InlineData with U+FFFD.
        foreach (var value in new[] { "ab" + (char)0xD800, (char)0xDC00 + "ab", "a" + (char)0xDBFF + "b" })
        {
            Assert.Contains("Unicode", TextRules.Check(value, "name", 1, 8)?.Message);
        }
    }

    [Fact]
    public void LineBreaksOnlyWhereAllowed()
    {
        Assert.NotNull(TextRules.Check("a\nb", "content", 1, 10));
        Assert.Null(TextRules.Check("a\nb", "content", 1, 10, allowLineBreaks: true));
    }
}
