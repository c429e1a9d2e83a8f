using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting.ApplicationModel
{
    /// <summary>An external input (<c>{name.value}</c> in a manifest). Run mode reads <c>Parameters:{name}</c>.</summary>
    public class ParameterResource(string name, Func<ParameterDefault?, string> callback, bool secret = false) : Resource(name), IManifestExpressionProvider, IValueProvider, IResourceWithoutLifetime
    {
        private readonly Lazy<string> _value = new(() => callback(null));

        public bool Secret { get; } = secret;
        /// <summary>What a publisher tells the deployer to use when no value is supplied (e.g. generate a password).</summary>
        public ParameterDefault? Default { get; set; }
        public string Value => _value.Value;
        public string ValueExpression => $"{{{Name}.value}}";

        public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => new(Value);
    }

    /// <summary><c>AddConnectionString</c>: a parameter whose value is the AppHost's <c>ConnectionStrings:{name}</c>.</summary>
    public sealed class ConnectionStringParameterResource(string name, Func<ParameterDefault?, string> callback) : ParameterResource(name, callback, secret: true), IResourceWithConnectionString
    {
        // The manifest writes "connectionString": "{name.value}"; consumers then use {name.connectionString}.
        public ReferenceExpression ConnectionStringExpression => new("{0}", [this], [base.ValueExpression]);

        string IManifestExpressionProvider.ValueExpression => $"{{{Name}.connectionString}}";
    }

    public abstract class ParameterDefault
    {
        public abstract string GetDefaultValue();
    }

    /// <summary>Aspire's generated-password default: 22 characters; no special characters, so values are safe inside URIs.</summary>
    public sealed class GenerateParameterDefault : ParameterDefault
    {
        private const string Lower = "abcdefghijklmnopqrstuvwxyz";
        private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        private const string Numeric = "0123456789";
        private const string Symbols = "-_.{}~()*+!";

        public int MinLength { get; set; } = 22;
        public bool Special { get; set; } = true;

        public override string GetDefaultValue()
        {
            var alphabet = Lower + Upper + Numeric + (Special ? Symbols : "");
            // One of each class first, so the result satisfies the same rules azd enforces for minLower/minUpper/minNumeric.
            var chars = new List<char> { Pick(Lower), Pick(Upper), Pick(Numeric) };
            while (chars.Count < MinLength)
            {
                chars.Add(Pick(alphabet));
            }
            var password = chars.ToArray();
            RandomNumberGenerator.Shuffle(password.AsSpan());
            return new string(password);
        }

        private static char Pick(string alphabet) => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
    }
}

namespace Aspire.Hosting
{
    public static class ParameterResourceBuilderExtensions
    {
        public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, bool secret = false) =>
            builder.AddResource(new ParameterResource(name, _ => ResolveParameter(builder, name, null), secret));

        /// <summary>A parameter with a default for when configuration gives none (Aspire 9's overload), e.g. a generated key.</summary>
        public static IResourceBuilder<ParameterResource> AddParameter(
            this IDistributedApplicationBuilder builder, string name, ParameterDefault value, bool secret = false, bool persist = false) =>
            // Generated values are always kept in the data folder here, so persist only states the intent.
            builder.AddResource(new ParameterResource(name, _ => ResolveParameter(builder, name, value), secret) { Default = value });

        public static IResourceBuilder<IResourceWithConnectionString> AddConnectionString(this IDistributedApplicationBuilder builder, string name) =>
            builder.AddResource(CreateConnectionStringParameter(builder, name));

        /// <summary>The generated password of a server resource (<c>pg-password</c>, …); persisted so data stays readable across runs.</summary>
        public static ParameterResource CreateDefaultPasswordParameter(IDistributedApplicationBuilder builder, string name, bool special = true)
        {
            var generate = new GenerateParameterDefault { Special = special };
            return new ParameterResource(name, _ => ResolveParameter(builder, name, generate), secret: true) { Default = generate };
        }

        internal static ConnectionStringParameterResource CreateConnectionStringParameter(IDistributedApplicationBuilder builder, string name) =>
            new(name, _ => builder.Configuration.GetConnectionStringValue(name)
                ?? throw new DistributedApplicationException($"Connection string parameter resource could not be used because connection string '{name}' is missing (set ConnectionStrings:{name} in the AppHost's configuration)."));

        internal static string? GetConnectionStringValue(this Microsoft.Extensions.Configuration.IConfiguration configuration, string name) =>
            configuration[$"ConnectionStrings:{name}"] is { Length: > 0 } value ? value : null;

        // Configuration first (Aspire's key); otherwise a value generated once and kept in the data folder,
        // the way Aspire keeps generated values in the AppHost's user secrets.
        private static string ResolveParameter(IDistributedApplicationBuilder builder, string name, ParameterDefault? @default)
        {
            if (builder.Configuration[$"Parameters:{name}"] is { Length: > 0 } configured)
            {
                return configured;
            }
            var store = ((DistributedApplicationBuilder)builder).ParameterStore;
            return store.GetOrAdd(name, () => (@default ?? new GenerateParameterDefault { Special = false }).GetDefaultValue());
        }
    }

    internal sealed class ParameterStore(string path)
    {
        private readonly Lock _lock = new();

        public string GetOrAdd(string name, Func<string> create)
        {
            lock (_lock)
            {
                var values = File.Exists(path)
                    ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
                    : [];
                if (!values.TryGetValue(name, out var value))
                {
                    values[name] = value = create();
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllText(path, JsonSerializer.Serialize(values, new JsonSerializerOptions { WriteIndented = true }));
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    }
                }
                return value;
            }
        }
    }
}
