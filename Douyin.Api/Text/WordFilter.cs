using Douyin.Api.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Douyin.Api.Text
{
    public sealed class WordFilterOptions
    {
        public const string SectionName = "WordFilter";

        /// <summary>Words to mask, matched case-insensitively anywhere in the text (also inside longer words).</summary>
        public List<string> BannedWords { get; set; } = [];

        public char Mask { get; set; } = '*';
    }

    /// <summary>
    /// Masks banned words in user text (comments, chat messages) with one Aho-Corasick automaton: a single pass over
    /// the text whatever the number of words, so a long list costs nothing per message. Built once at start-up.
    /// </summary>
    public sealed class WordFilter
    {
        readonly Node _root = new();
        readonly char _mask;

        public WordFilter(IOptions<WordFilterOptions> options)
            : this(options.Value.BannedWords, options.Value.Mask)
        {
        }

        public WordFilter(IEnumerable<string> bannedWords, char mask = '*')
        {
            _mask = mask;
            foreach (var word in bannedWords.Where(w => !string.IsNullOrWhiteSpace(w)))
            {
                var node = _root;
                foreach (var c in word.Trim())
                {
                    node = node.Next.TryGetValue(Fold(c), out var child) ? child : node.Next[Fold(c)] = new Node();
                }
                node.MatchLength = Math.Max(node.MatchLength, word.Trim().Length);
            }
            LinkFailures();
        }

        /// <summary>The text with every banned word replaced by mask characters of the same length; the same instance when nothing matched.</summary>
        public string Mask(string text)
        {
            if (_root.Next.Count == 0 || text.Length == 0)
            {
                return text;
            }

            char[]? masked = null;
            var node = _root;
            for (var i = 0; i < text.Length; i++)
            {
                var c = Fold(text[i]);
                while (node != _root && !node.Next.ContainsKey(c))
                {
                    node = node.Failure!;
                }
                node = node.Next.GetValueOrDefault(c, _root);
                if (node.LongestOutput > 0)
                {
                    masked ??= text.ToCharArray();
                    masked.AsSpan(i - node.LongestOutput + 1, node.LongestOutput).Fill(_mask);
                }
            }
            return masked is null ? text : new string(masked);
        }

        // Breadth-first, as the algorithm requires: a node's failure link points to a shallower node.
        void LinkFailures()
        {
            var queue = new Queue<Node>();
            foreach (var child in _root.Next.Values)
            {
                child.Failure = _root;
                child.LongestOutput = child.MatchLength;
                queue.Enqueue(child);
            }
            while (queue.TryDequeue(out var node))
            {
                foreach (var (c, child) in node.Next)
                {
                    var failure = node.Failure!;
                    while (failure != _root && !failure.Next.ContainsKey(c))
                    {
                        failure = failure.Failure!;
                    }
                    child.Failure = failure.Next.TryGetValue(c, out var target) && target != child ? target : _root;
                    // The longest banned word ending here, directly or through a suffix (e.g. "bc" inside "abc").
                    child.LongestOutput = Math.Max(child.MatchLength, child.Failure.LongestOutput);
                    queue.Enqueue(child);
                }
            }
        }

        static char Fold(char c) => char.ToLowerInvariant(c);

        sealed class Node
        {
            public Dictionary<char, Node> Next { get; } = [];
            public Node? Failure { get; set; }
            public int MatchLength { get; set; }
            public int LongestOutput { get; set; }
        }
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class WordFilterExtensions
    {
        /// <summary>The banned-word filter, its list from the <c>WordFilter</c> section.</summary>
        public static IHostApplicationBuilder AddWordFilter(this IHostApplicationBuilder builder)
        {
            builder.Services.AddOptions<WordFilterOptions>().BindConfiguration(WordFilterOptions.SectionName);
            // A factory: the container cannot choose between the two public constructors by itself.
            builder.Services.AddSingleton(sp => new WordFilter(sp.GetRequiredService<IOptions<WordFilterOptions>>()));
            return builder;
        }
    }
}
