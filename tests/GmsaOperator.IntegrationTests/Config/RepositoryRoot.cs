namespace GmsaOperator.IntegrationTests.Config;

/// <summary>Finds the repository root: the first folder above the test assembly that holds GmsaOperator.sln.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GmsaOperator.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No GmsaOperator.sln above {AppContext.BaseDirectory}.");
    }

    public static string Config(string directory) => Path.Combine(Find(), "config", directory);
}
