using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Douyin.ServiceDefaults.Hosting;

/// <summary>Settings of a client integration that has a connection string.</summary>
public interface IConnectionStringSettings
{
    string? ConnectionString { get; set; }
}

public static class ClientSettings
{
    /// <summary>
    /// Aspire's order for a client integration's settings, later wins: the section <paramref name="sectionName"/>,
    /// then its <c>{connectionName}</c> child (and <paramref name="extraChild"/>, e.g. a DbContext's name),
    /// then <c>ConnectionStrings:{connectionName}</c>, then the caller's delegate.
    /// </summary>
    public static T Bind<T>(IHostApplicationBuilder builder, string sectionName, string connectionName, Action<T>? configure, string? extraChild = null)
        where T : IConnectionStringSettings, new()
    {
        var settings = new T();
        var section = builder.Configuration.GetSection(sectionName);
        section.Bind(settings);
        section.GetSection(connectionName).Bind(settings);
        if (extraChild is not null)
        {
            section.GetSection(extraChild).Bind(settings);
        }
        if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }
        configure?.Invoke(settings);
        return settings;
    }

    /// <summary>The error every integration gives when nothing names its server.</summary>
    public static InvalidOperationException Missing(string what, string connectionName) =>
        new($"{what} has no connection string: set ConnectionStrings:{connectionName} (environment variable ConnectionStrings__{connectionName}).");
}
