namespace GmsaOperator.Operator.Cli.Plugin;

/// <summary>
/// Whether the process was started as the kubectl plugin <c>kubectl-gmsa</c>: kubectl runs a plugin by its file name
/// on PATH, so a symlink (or copy) of <c>gmsa-operator</c> under that name switches the command line to plugin mode.
/// </summary>
public static class PluginInvocation
{
    public const string ExecutableName = "kubectl-gmsa";

    /// <summary>
    /// The names the process may have been started under. The apphost of a framework-dependent build reports the
    /// entry dll as argument 0 and <see cref="Environment.ProcessPath"/> is the symlink's target, so on Linux the
    /// name as executed comes from <c>/proc/self/cmdline</c>; NativeAOT reports it as argument 0 too.
    /// </summary>
    public static IEnumerable<string?> CandidateNames()
    {
        yield return ProcArgumentZero();
        var args = Environment.GetCommandLineArgs();
        yield return args.Length > 0 ? args[0] : null;
        yield return Environment.ProcessPath;
    }

    public static bool IsPlugin(IEnumerable<string?> invokedAs) => invokedAs.Any(IsPluginName);

    /// <summary>True for <c>kubectl-gmsa</c> under any directory, with or without Windows' <c>.exe</c>.</summary>
    public static bool IsPluginName(string? invokedAs)
    {
        if (invokedAs is not { Length: > 0 }) return false;
        var name = invokedAs[(invokedAs.LastIndexOfAny(['/', '\\']) + 1)..];
        if (name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)) name = name[..^4];
        return string.Equals(name, ExecutableName, StringComparison.OrdinalIgnoreCase);
    }

    private static string? ProcArgumentZero()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            // Only the first argument is wanted: read a bounded prefix, not the whole command line.
            using var stream = new FileStream("/proc/self/cmdline", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            var buffer = new byte[4096];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            var end = Array.IndexOf(buffer, (byte)0, 0, read);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, end < 0 ? read : end);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
