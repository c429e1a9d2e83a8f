using Douyin.Api.Text;

namespace Douyin.ServiceDefaults.Tests.Text;

public sealed class WordFilterTests
{
    [Theory]
    [InlineData("you are a fool", "you are a ****")]
    [InlineData("FOOL!", "****!")]
    [InlineData("foolish", "****ish")]
    [InlineData("傻瓜，你好", "**，你好")]
    [InlineData("abcd", "****")] // "abc" and "bcd" overlap: both masked
    [InlineData("xbcx", "x**x")] // "bc" found inside a failed "abc" path
    [InlineData("nothing to hide", "nothing to hide")]
    [InlineData("", "")]
    public void MasksEveryBannedWord(string text, string expected)
    {
        var filter = new WordFilter(["fool", "傻瓜", "abc", "bcd", "bc"]);

        Assert.Equal(expected, filter.Mask(text));
    }

    [Fact]
    public void UntouchedTextIsTheSameInstance()
    {
        var text = "clean text";
        Assert.Same(text, new WordFilter(["dirty"]).Mask(text));
    }

    [Fact]
    public void AnEmptyListMasksNothing() => Assert.Equal("anything", new WordFilter([]).Mask("anything"));

    [Fact]
    public void AgreesWithANaiveScanOnRandomText()
    {
        string[] words = ["ab", "bab", "ca", "abc", "b"];
        var filter = new WordFilter(words);
        var random = new Random(7);
        for (var round = 0; round < 500; round++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(1, 30)).Select(_ => "abcx"[random.Next(4)])]);
            var expected = text.ToCharArray();
            foreach (var word in words)
            {
                for (var i = text.IndexOf(word, StringComparison.Ordinal); i >= 0; i = text.IndexOf(word, i + 1, StringComparison.Ordinal))
                {
                    expected.AsSpan(i, word.Length).Fill('*');
                }
            }
            Assert.Equal(new string(expected), filter.Mask(text));
        }
    }
}
