using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Douyin.ServiceDefaults.Tests.Data;

public sealed class PoolDefaultsTests
{
    [Fact]
    public void AConnectionStringWithoutPoolSettingsGetsOurs()
    {
        var result = new NpgsqlConnectionStringBuilder(ServiceDatabaseExtensions.WithPoolDefaults("Host=db;Database=feeddb;Username=u;Password=p"));

        Assert.Equal(ServiceDatabaseExtensions.DefaultMaxPoolSize, result.MaxPoolSize);
        Assert.Equal(ServiceDatabaseExtensions.DefaultMaxAutoPrepare, result.MaxAutoPrepare);
        Assert.True(result.NoResetOnClose);
        Assert.Equal(("db", "feeddb", "p"), (result.Host, result.Database, result.Password));
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=7;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;MaxPoolSize=7;maxautoprepare=0;NoResetOnClose=false")]
    public void SettingsTheConnectionStringMakesAreKept(string connectionString)
    {
        var result = new NpgsqlConnectionStringBuilder(ServiceDatabaseExtensions.WithPoolDefaults(connectionString));

        Assert.Equal((7, 0, false), (result.MaxPoolSize, result.MaxAutoPrepare, result.NoResetOnClose));
    }
}
