using System.Diagnostics;

namespace GmsaOperator.LocalControlPlane.Node;

/// <summary>
/// Runs <c>hack/local-node.sh</c> (embedded): the host plumbing that is shell by nature — packages, the pause image,
/// the bridge, iptables, sysctls, mounts — so that a watchdog can run the same teardown after a crash of this process.
/// </summary>
internal static class NodeHostScript
{
    /// <summary>Copies the script into the run directory, where the crash watchdog can still find it.</summary>
    public static Task ExtractAsync(string path, CancellationToken cancellationToken) =>
        EmbeddedScript.ExtractAsync("local-node.sh", path, cancellationToken);

    /// <summary>Runs one subcommand; returns its stdout, throws with the last lines of stderr on failure.</summary>
    public static async Task<string> RunAsync(string script, TextWriter progress, CancellationToken cancellationToken, params string[] args)
    {
        var result = await EmbeddedScript.RunAsync(script, args, progress, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new ControlPlaneException(
                $"local-node.sh {args[0]} failed (exit {result.ExitCode}):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", result.LastLines)}");
        }
        return result.Stdout;
    }

    /// <summary>Runs the teardown when <paramref name="parentPid"/> dies without stopping the node itself.</summary>
    public static void StartCrashWatchdog(int parentPid, string script, string runDirectory)
    {
        // The control-plane watchdogs stop their processes within ~6 s of the parent's death; the teardown then
        // stops the node's processes, containers and network and restores the host.
        const string loop = "while kill -0 \"$0\" 2>/dev/null; do [ -d \"$2\" ] || exit 0; sleep 1; done; " +
                            "[ -f \"$1\" ] && [ -d \"$2\" ] && exec /bin/bash \"$1\" teardown \"$2\"";
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec setsid /bin/sh -c '{loop}' {parentPid} '{script}' '{runDirectory}' </dev/null >>'{runDirectory}/watchdog.log' 2>&1");
        using var _ = Process.Start(psi);
    }
}
