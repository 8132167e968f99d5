using System.Diagnostics;
using System.Reflection;

namespace GmsaOperator.LocalControlPlane;

/// <summary>The shell scripts embedded in this library (the control-plane build, the node's host plumbing): written
/// to a file and run with bash, their progress lines passed on, their last error lines kept for the failure message.</summary>
internal static class EmbeddedScript
{
    private const int KeptLines = 20;

    /// <param name="LastLines">The last lines the script wrote to stderr.</param>
    public sealed record Result(int ExitCode, string Stdout, IReadOnlyList<string> LastLines)
    {
        /// <summary>The script's own <c>ERROR: …</c> line, without the prefix; null when it printed none.</summary>
        public string? Error => LastLines.LastOrDefault(l => l.StartsWith("ERROR", StringComparison.Ordinal)) is { } line
            ? line.StartsWith("ERROR: ", StringComparison.Ordinal) ? line["ERROR: ".Length..] : line
            : null;
    }

    public static async Task ExtractAsync(string resourceName, string path, CancellationToken cancellationToken)
    {
        await using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(resourceName)
            ?? throw new ControlPlaneException($"The script {resourceName} is missing from the gmsa-operator assembly.");
        await using var file = File.Create(path);
        await resource.CopyToAsync(file, cancellationToken);
    }

    /// <summary>Runs <paramref name="script"/>; lines starting with <c>==&gt;</c>, <c>+++</c> or <c>ERROR</c> go to <paramref name="progress"/>.</summary>
    public static async Task<Result> RunAsync(string script, IEnumerable<string> args, TextWriter progress, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi) ?? throw new ControlPlaneException($"Could not start /bin/bash for {Path.GetFileName(script)}.");
        var lastLines = new Queue<string>();
        var stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(cancellationToken) is { } line)
            {
                lock (lastLines)
                {
                    lastLines.Enqueue(line);
                    if (lastLines.Count > KeptLines) lastLines.Dequeue();
                }
                if (line.StartsWith("==>", StringComparison.Ordinal) || line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("ERROR", StringComparison.Ordinal))
                {
                    await progress.WriteLineAsync(line);
                }
            }
        }, cancellationToken);
        var stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await stderr;
        return new Result(process.ExitCode, stdout, [.. lastLines]);
    }
}
