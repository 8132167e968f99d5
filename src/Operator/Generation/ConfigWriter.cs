namespace GmsaOperator.Operator.Generation;

/// <summary>
/// Writes the generated tree under a directory. Stale files from earlier generations (they carry the generated
/// header) are removed; any other file is left alone.
/// </summary>
public static class ConfigWriter
{
    public sealed record Result(IReadOnlyList<string> Written, IReadOnlyList<string> Unchanged, IReadOnlyList<string> Removed);

    public static async Task<Result> WriteAsync(string outputDirectory, IReadOnlyList<GeneratedFile> files, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(outputDirectory);
        var written = new List<string>();
        var unchanged = new List<string>();
        foreach (var file in files)
        {
            var path = Path.Combine(root, file.Path.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken) == file.Content)
            {
                unchanged.Add(file.Path);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, file.Content, cancellationToken);
            written.Add(file.Path);
        }

        var expected = files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var removed = new List<string>();
        foreach (var path in Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories) : [])
        {
            var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (expected.Contains(relative) || !await IsGeneratedAsync(path, cancellationToken)) continue;
            File.Delete(path);
            removed.Add(relative);
        }
        return new Result(written, unchanged, removed);
    }

    private static async Task<bool> IsGeneratedAsync(string path, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path);
        var first = await reader.ReadLineAsync(cancellationToken);
        return first is not null && first + "\n" == GeneratedFile.Header;
    }
}
