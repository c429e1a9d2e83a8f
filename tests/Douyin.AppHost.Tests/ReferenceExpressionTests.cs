namespace Douyin.AppHost.Tests;

public class ReferenceExpressionTests
{
    private sealed class FakeValue(string value, string expression) : IValueProvider, IManifestExpressionProvider
    {
        public string ValueExpression => expression;
        public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => new(value);
    }

    [Fact]
    public async Task HolesResolveInRunModeAndStayExpressionsForPublishing()
    {
        var host = new FakeValue("localhost", "{pg.bindings.tcp.host}");
        var port = new FakeValue("54321", "{pg.bindings.tcp.port}");

        var expression = ReferenceExpression.Create($"Host={host};Port={port};Username=postgres");

        Assert.Equal("Host=localhost;Port=54321;Username=postgres", await expression.GetValueAsync());
        Assert.Equal("Host={pg.bindings.tcp.host};Port={pg.bindings.tcp.port};Username=postgres", expression.ValueExpression);
        Assert.Equal("Host={0};Port={1};Username=postgres", expression.Format);
    }

    [Fact]
    public async Task LiteralBracesAreEscapedInTheManifestAndPlainInTheValue()
    {
        var url = new FakeValue("http://localhost:5000", "{feed.bindings.http.url}");
        var literal = "{**catch-all}";

        var expression = ReferenceExpression.Create($"{url}/feed/{literal}");

        Assert.Equal("http://localhost:5000/feed/{**catch-all}", await expression.GetValueAsync());
        Assert.Equal("{feed.bindings.http.url}/feed/{{**catch-all}}", expression.ValueExpression);
    }

    [Fact]
    public async Task ExpressionsNest()
    {
        var server = ReferenceExpression.Create($"Host={new FakeValue("localhost", "{pg.bindings.tcp.host}")}");

        var database = ReferenceExpression.Create($"{server};Database=feeddb");

        Assert.Equal("Host=localhost;Database=feeddb", await database.GetValueAsync());
        Assert.Equal("Host={pg.bindings.tcp.host};Database=feeddb", database.ValueExpression);
    }

    [Fact]
    public async Task DatabaseConnectionStringIsTheServerStringPlusTheDatabase()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = [], Assembly = typeof(Projects.Douyin_AppHost).Assembly });
        var pg = builder.AddPostgres("pg");
        var feedDb = pg.AddDatabase("feeddb");

        Assert.Equal("Host={pg.bindings.tcp.host};Port={pg.bindings.tcp.port};Username=postgres;Password={pg-password.value}", pg.Resource.ConnectionStringExpression.ValueExpression);
        Assert.Equal("{pg.connectionString};Database=feeddb", feedDb.Resource.ConnectionStringExpression.ValueExpression);
        Assert.True(builder.Resources.Contains(pg.Resource.PasswordParameter));
        await Task.CompletedTask;
    }
}
