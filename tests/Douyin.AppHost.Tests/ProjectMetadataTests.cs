namespace Douyin.AppHost.Tests;

public class ProjectMetadataTests
{
    public static TheoryData<IProjectMetadata, string> Projects => new()
    {
        { new Projects.Douyin_Web(), "Douyin.Web" },
        { new Projects.Douyin_Feed(), "Douyin.Feed" },
        { new Projects.Douyin_Social(), "Douyin.Social" },
        { new Projects.Douyin_Chat(), "Douyin.Chat" },
        { new Projects.Douyin_AppHost(), "Douyin.AppHost" },
    };

    [Theory]
    [MemberData(nameof(Projects))]
    public void GeneratedMetadataPointsAtTheProjectAndItsBuiltAssembly(IProjectMetadata metadata, string name)
    {
        Assert.True(Path.IsPathFullyQualified(metadata.ProjectPath));
        Assert.Equal($"{name}.csproj", Path.GetFileName(metadata.ProjectPath));
        Assert.True(File.Exists(metadata.ProjectPath), metadata.ProjectPath);
        Assert.Equal($"{name}.dll", Path.GetFileName(metadata.TargetPath));
        Assert.True(File.Exists(metadata.TargetPath), metadata.TargetPath);
    }

    [Fact]
    public void AppHostDirectoryComesFromAssemblyMetadata()
    {
        var metadata = typeof(Projects.Douyin_AppHost).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "apphostprojectpath");
        Assert.Equal(Path.GetDirectoryName(new Projects.Douyin_AppHost().ProjectPath), metadata.Value);
    }
}
