using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using GmsaOperator.Operator.Generation;

namespace GmsaOperator.Tests.Generation;

/// <summary>Compares generated files with a directory and describes every difference as a readable line diff.</summary>
internal static class ConfigDrift
{
    private const int Context = 3;

    /// <summary>Empty when <paramref name="directory"/> holds exactly the generated files; otherwise one section per differing file.</summary>
    public static string Describe(IReadOnlyList<GeneratedFile> generated, string directory)
    {
        var report = new StringBuilder();
        foreach (var file in generated)
        {
            var path = Path.Combine(directory, file.Path);
            if (!File.Exists(path))
            {
                report.Append("missing ").AppendLine(file.Path);
                continue;
            }
            var committed = File.ReadAllText(path);
            if (committed != file.Content) report.Append(Diff(file.Path, committed, file.Content));
        }

        var expected = generated.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        if (Directory.Exists(directory))
        {
            foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/');
                if (!expected.Contains(relative)) report.Append("not generated (stale) ").AppendLine(relative);
            }
        }
        return report.ToString();
    }

    /// <summary>A unified-style diff: "-" committed, "+" generated, with a few lines of context around each change.</summary>
    public static string Diff(string path, string committed, string generated)
    {
        var lines = InlineDiffBuilder.Diff(committed, generated, ignoreWhiteSpace: false).Lines;
        var show = new bool[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Type == ChangeType.Unchanged) continue;
            for (var j = Math.Max(0, i - Context); j <= Math.Min(lines.Count - 1, i + Context); j++) show[j] = true;
        }

        var diff = new StringBuilder().Append("--- config/").Append(path).AppendLine(" (committed)")
            .Append("+++ config/").Append(path).AppendLine(" (generated)");
        for (var i = 0; i < lines.Count; i++)
        {
            if (!show[i])
            {
                if (i > 0 && show[i - 1]) diff.AppendLine("@@");
                continue;
            }
            var prefix = lines[i].Type switch { ChangeType.Inserted => "+", ChangeType.Deleted => "-", _ => " " };
            diff.Append(prefix).AppendLine(lines[i].Text);
        }
        return diff.ToString();
    }
}
