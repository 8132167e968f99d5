namespace GmsaOperator.Operator.Cli;

/// <summary>Which kubeconfig files kubectl would read: the <c>--kubeconfig</c> file alone, else every file of <c>KUBECONFIG</c>, else <c>~/.kube/config</c>.</summary>
public static class KubeconfigPaths
{
    /// <param name="flag">The <c>--kubeconfig</c> value: only that file, never merged.</param>
    /// <param name="environment">The <c>KUBECONFIG</c> value: a list separated like <c>PATH</c> (':' here, ';' on Windows), empty entries and repeats dropped.</param>
    /// <param name="home">The user's home directory.</param>
    public static IReadOnlyList<string> Resolve(string? flag, string? environment, string home)
    {
        if (flag is { Length: > 0 }) return [flag];
        if (environment is { Length: > 0 })
        {
            var listed = environment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Distinct(StringComparer.Ordinal).ToList();
            if (listed.Count > 0) return listed;
        }
        return home.Length > 0 ? [Path.Combine(home, ".kube", "config")] : [];
    }
}
