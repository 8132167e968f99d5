namespace GmsaOperator.TestSupport;

/// <summary>The clone the tests run from (the directory holding GmsaOperator.sln above the test binaries).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>A folder of the generated config, e.g. <c>Config("default")</c>.</summary>
    public static string Config(string directory) => System.IO.Path.Combine(Path, "config", directory);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GmsaOperator.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No GmsaOperator.sln above {AppContext.BaseDirectory}.");
    }
}
