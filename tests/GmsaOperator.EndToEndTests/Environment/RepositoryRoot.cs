namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>The first folder above the test assembly that holds GmsaOperator.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GmsaOperator.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No GmsaOperator.sln above {AppContext.BaseDirectory}.");
    }
}
