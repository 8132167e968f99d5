using GmsaOperator.EndToEndTests.Deployed;
using System.Text.Json;

namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>Looks at a running container from the node's side: its main process and the kubelet's stats.</summary>
internal static class ContainerInspector
{
    public sealed record ProcessFacts(int Pid, int Uid, bool ReadOnlyRoot);

    /// <summary>Finds the container's main process through containerd and reads its uid and root mount from /proc.</summary>
    public static async Task<ProcessFacts> InspectAsync(string containerId)
    {
        var id = containerId.Replace("containerd://", "", StringComparison.Ordinal);
        var tasks = await Shell.SucceedAsync("ctr", ["--address", E2ECluster.Plane.Node!.ContainerdSocket, "-n", "k8s.io", "tasks", "ls"], TimeSpan.FromSeconds(30));
        var row = tasks.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(c => c.Length >= 3 && c[0] == id)
            ?? throw new InvalidOperationException($"containerd has no task {id}:\n{tasks}");
        var pid = int.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture);
        var uid = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
        // mountinfo: "id parent major:minor root mountpoint options ..."; the container's "/" is its root filesystem.
        var root = File.ReadAllLines($"/proc/{pid}/mountinfo").Select(l => l.Split(' ')).First(f => f[4] == "/");
        return new ProcessFacts(pid, int.Parse(uid, System.Globalization.CultureInfo.InvariantCulture), root[5].Split(',').Contains("ro"));
    }

    /// <summary>Working-set bytes of a container, from the kubelet's stats summary API (what `kubectl top` shows).</summary>
    public static async Task<long?> WorkingSetBytesAsync(string pod, string @namespace, string container)
    {
        var summary = await E2ECluster.KubectlSucceedAsync("get", "--raw", "/api/v1/nodes/localhost/proxy/stats/summary");
        using var doc = JsonDocument.Parse(summary);
        foreach (var p in doc.RootElement.GetProperty("pods").EnumerateArray())
        {
            var reference = p.GetProperty("podRef");
            if (reference.GetProperty("name").GetString() != pod || reference.GetProperty("namespace").GetString() != @namespace) continue;
            foreach (var c in p.GetProperty("containers").EnumerateArray())
            {
                if (c.GetProperty("name").GetString() == container && c.TryGetProperty("memory", out var memory) &&
                    memory.TryGetProperty("workingSetBytes", out var ws))
                {
                    return ws.GetInt64();
                }
            }
        }
        return null;
    }
}
