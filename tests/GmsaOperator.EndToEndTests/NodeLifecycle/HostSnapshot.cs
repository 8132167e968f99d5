using GmsaOperator.EndToEndTests.Environment;

namespace GmsaOperator.EndToEndTests.NodeLifecycle;

/// <summary>What a local node changes on the host, read the way an admin would check it.</summary>
internal sealed record HostSnapshot(string Sysctls, string Links, string Chains, string FixedPaths, string Mounts, string CniResults)
{
    private static readonly string[] SysctlNames =
    [
        "kernel.panic", "kernel.panic_on_oops", "vm.overcommit_memory", "vm.panic_on_oom", "net.ipv4.ip_forward",
        "net.ipv4.conf.all.route_localnet", "kernel.keys.root_maxkeys", "kernel.keys.root_maxbytes",
    ];

    private const string CniResultsDirectory = "/var/lib/cni/results";

    private static readonly string[] FixedPathNames = ["/var/log/pods", "/var/log/containers", "/var/lib/kubelet", "/run/containerd"];

    public static async Task<HostSnapshot> TakeAsync(string runDirectory)
    {
        var sysctls = await Shell.SucceedAsync("sysctl", SysctlNames, TimeSpan.FromSeconds(10));
        var links = await Shell.SucceedAsync("ip", ["-br", "link"], TimeSpan.FromSeconds(10));
        var chains = string.Join('\n', (await Shell.SucceedAsync("iptables-save", [], TimeSpan.FromSeconds(10)))
            .Split('\n').Where(l => l.Contains("KUBE-", StringComparison.Ordinal) || l.Contains("CNI-", StringComparison.Ordinal) || l.Contains("gmsa", StringComparison.Ordinal)));
        var paths = string.Join(' ', FixedPathNames.Where(p => Directory.Exists(p) || File.Exists(p)));
        var mounts = string.Join('\n', File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(runDirectory, StringComparison.Ordinal)));
        // veth names are random: only the bridge and the names of non-veth links matter.
        var linkNames = string.Join('\n', links.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).Where(n => !n.StartsWith("veth", StringComparison.Ordinal)));
        // libcni's cache of the node's attachments (and their loopback twins), outside the run directory.
        var cniResults = Directory.Exists(CniResultsDirectory)
            ? string.Join('\n', Directory.EnumerateFiles(CniResultsDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            : "";
        return new HostSnapshot(sysctls, linkNames, chains, paths, mounts, cniResults);
    }
}
