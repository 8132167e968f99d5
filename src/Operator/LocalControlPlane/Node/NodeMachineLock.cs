namespace GmsaOperator.LocalControlPlane.Node;

/// <summary>
/// One local node per machine: kubelet and containerd also write to fixed host paths. A marker names the run
/// directory of the node that owns the machine; a node whose processes are all gone (its host crashed, and the
/// watchdog was killed too) is torn down before a new one starts. The teardown (local-node.sh) removes the marker.
/// </summary>
internal static class NodeMachineLock
{
    private const string Marker = "/run/gmsa-operator-node";

    public static async Task ClaimAsync(NodeLayout layout, TextWriter progress, CancellationToken cancellationToken)
    {
        if (File.Exists(Marker) && (await File.ReadAllTextAsync(Marker, cancellationToken)).Trim() is { Length: > 0 } previous && previous != layout.Root)
        {
            var old = new NodeLayout(previous);
            if (AnyAlive(old))
            {
                throw new ControlPlaneException($"A local node is already running from {previous} (one per machine): stop it first ('make cluster-down', or end the test run that started it).");
            }
            if (File.Exists(old.Script))
            {
                await progress.WriteLineAsync($"==> [node] removing the leftovers of an earlier node in {previous}");
                await NodeHostScript.RunAsync(old.Script, progress, cancellationToken, "teardown", old.Root);
            }
        }
        await File.WriteAllTextAsync(Marker, layout.Root, cancellationToken);
    }

    private static bool AnyAlive(NodeLayout layout) =>
        File.Exists(layout.StateFile) && File.ReadAllLines(layout.StateFile)
            .Select(l => l.Split(' ', 3))
            .Any(p => p.Length >= 2 && int.TryParse(p[1], out var pid) && ManagedProcess.IsAlive(pid));
}
