using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>Something with a value in run mode (a password, a port, a connection string).</summary>
public interface IValueProvider
{
    ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default);
}

/// <summary>Something written into a deployment manifest as <c>{resource.path}</c>.</summary>
public interface IManifestExpressionProvider
{
    string ValueExpression { get; }
}

/// <summary>
/// A string with holes, e.g. <c>Host={pg.bindings.tcp.host};Port={pg.bindings.tcp.port}</c>. Run mode resolves the holes
/// (<see cref="GetValueAsync"/>); a publisher writes <see cref="ValueExpression"/> verbatim. <see cref="Format"/> is a
/// composite format string: holes are <c>{0}</c>, <c>{1}</c>…, literal braces are doubled.
/// </summary>
public sealed class ReferenceExpression : IManifestExpressionProvider, IValueProvider
{
    internal ReferenceExpression(string format, IValueProvider[] valueProviders, string[] manifestExpressions)
    {
        Format = format;
        ValueProviders = valueProviders;
        ManifestExpressions = manifestExpressions;
    }

    public string Format { get; }
    public IReadOnlyList<IValueProvider> ValueProviders { get; }
    public IReadOnlyList<string> ManifestExpressions { get; }

    // The manifest language escapes braces the same way (aspire-manifest.md §3), so literals keep their doubled braces.
    public string ValueExpression => Substitute(Format, i => ManifestExpressions[i], unescapeBraces: false);

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default)
    {
        var values = new string?[ValueProviders.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = await ValueProviders[i].GetValueAsync(cancellationToken);
        }
        return Substitute(Format, i => values[i], unescapeBraces: true);
    }

    /// <summary>The expression with each hole replaced by <paramref name="resolve"/>'s text (how a publisher resolves it for its target).</summary>
    internal string Render(Func<IValueProvider, string> resolve) => Substitute(Format, i => resolve(ValueProviders[i]), unescapeBraces: true);

    public static ReferenceExpression Create(in ExpressionInterpolatedStringHandler handler) => handler.GetExpression();

    public override string ToString() => ValueExpression;

    private static string Substitute(string format, Func<int, string?> hole, bool unescapeBraces)
    {
        var result = new StringBuilder(format.Length);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c is '{' or '}' && i + 1 < format.Length && format[i + 1] == c)
            {
                result.Append(c);
                if (!unescapeBraces)
                {
                    result.Append(c);
                }
                i++;
            }
            else if (c == '{')
            {
                var end = format.IndexOf('}', i);
                result.Append(hole(int.Parse(format.AsSpan(i + 1, end - i - 1), CultureInfo.InvariantCulture)));
                i = end;
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }

    [InterpolatedStringHandler]
    public ref struct ExpressionInterpolatedStringHandler
    {
        private readonly ReferenceExpressionBuilder _builder;

        public ExpressionInterpolatedStringHandler(int literalLength, int formattedCount) =>
            _builder = new ReferenceExpressionBuilder(literalLength + 3 * formattedCount);

        public readonly void AppendLiteral(string value) => _builder.AppendLiteral(value);
        public readonly void AppendFormatted(string? value) => _builder.AppendLiteral(value ?? "");
        public readonly void AppendFormatted(int value) => _builder.AppendLiteral(value.ToString(CultureInfo.InvariantCulture));
        public readonly void AppendFormatted<T>(T valueProvider) where T : IValueProvider, IManifestExpressionProvider =>
            _builder.AppendValueProvider(valueProvider);
        internal readonly ReferenceExpression GetExpression() => _builder.Build();
    }
}

public sealed class ReferenceExpressionBuilder
{
    private readonly StringBuilder _format;

    public ReferenceExpressionBuilder() : this(16) { }

    internal ReferenceExpressionBuilder(int capacity) => _format = new StringBuilder(capacity);

    private readonly List<IValueProvider> _valueProviders = [];
    private readonly List<string> _manifestExpressions = [];

    public void AppendLiteral(string value) => _format.Append(value.Replace("{", "{{").Replace("}", "}}"));

    public void AppendValueProvider(object valueProvider)
    {
        if (valueProvider is not (IValueProvider provider and IManifestExpressionProvider manifest))
        {
            throw new ArgumentException($"{valueProvider.GetType().Name} must be both an {nameof(IValueProvider)} and an {nameof(IManifestExpressionProvider)}.", nameof(valueProvider));
        }
        _format.Append('{').Append(_valueProviders.Count.ToString(CultureInfo.InvariantCulture)).Append('}');
        _valueProviders.Add(provider);
        _manifestExpressions.Add(manifest.ValueExpression);
    }

    public ReferenceExpression Build() => new ReferenceExpression(_format.ToString(), [.. _valueProviders], [.. _manifestExpressions]);
}
