using System.Diagnostics;
using k8s;
using k8s.Models;

namespace GmsaOperator.LocalControlPlane.Node;

/// <summary>
/// A real node for the local control plane: containerd (own root, state and socket), kubelet, kube-scheduler and
/// kube-proxy, pods on a private bridge that nothing leaves. Processes are stopped by PID; the bridge, netns, mounts,
/// iptables chains and sysctls are undone on stop — and by a watchdog if this process dies first.
/// </summary>
public sealed class LocalNode : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    private readonly NodeLayout _layout;
    private readonly TextWriter _progress;
    private readonly bool _detached;
    private readonly List<ManagedProcess> _processes = [];
    private bool _disposed;

    private LocalNode(NodeLayout layout, TextWriter progress, bool detached, string pauseImage)
    {
        _layout = layout;
        _progress = progress;
        _detached = detached;
        PauseImage = pauseImage;
    }

    /// <summary>The locally built pause image, present on the node: also a tiny Linux image for test pods.</summary>
    public string PauseImage { get; }

    public string RunDirectory => _layout.Root;
    public string ContainerdSocket => _layout.ContainerdSocket;
    public IReadOnlyList<ManagedProcess> Processes => _processes;

    /// <summary>Lets pods pull from a plain-HTTP registry at <paramref name="hostPort"/> (e.g. 127.0.0.1:5000).</summary>
    public void TrustPlainHttpRegistry(string hostPort) => NodeConfigFiles.TrustPlainHttpRegistry(_layout, hostPort);

    public static async Task<LocalNode> StartAsync(string runDirectory, string kubeconfig, NodeBinaries binaries, bool detached,
        TextWriter progress, CancellationToken cancellationToken)
    {
        if (!IsRoot())
        {
            throw new ControlPlaneException("A local node needs root (network namespaces, mounts, cgroups, iptables).");
        }
        var layout = new NodeLayout(runDirectory);
        Directory.CreateDirectory(layout.Root);
        await NodeHostScript.ExtractAsync(layout.Script, cancellationToken);
        await NodeMachineLock.ClaimAsync(layout, progress, cancellationToken);

        var sw = Stopwatch.StartNew();
        var prepared = ParseKeyValues(await NodeHostScript.RunAsync(layout.Script, progress, cancellationToken, "prepare"));
        var node = new LocalNode(layout, progress, detached, prepared["pause_image"]);
        try
        {
            await NodeHostScript.RunAsync(layout.Script, progress, cancellationToken, "net-up", layout.Root, ClusterNetwork.BridgeName,
                ClusterNetwork.PodCidr, ClusterNetwork.BridgeGateway.ToString(), ClusterNetwork.ServiceCidr, ClusterNetwork.CniNetworkName);
            if (!detached) NodeHostScript.StartCrashWatchdog(Environment.ProcessId, layout.Script, layout.Root);
            await node.StartProcessesAsync(kubeconfig, binaries, prepared["pause_archive"], cancellationToken);
            await progress.WriteLineAsync($"==> [node] node '{NodeConfigFiles.NodeName}' Ready in {sw.Elapsed.TotalSeconds:0.0}s (pods on {ClusterNetwork.PodCidr}, bridge {ClusterNetwork.BridgeName})");
            return node;
        }
        catch
        {
            await node.StopAsync(kubeconfig: null);
            throw;
        }
    }

    private async Task StartProcessesAsync(string kubeconfig, NodeBinaries binaries, string pauseArchive, CancellationToken cancellationToken)
    {
        var ports = new NodeConfigFiles.Ports(FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        NodeConfigFiles.Write(_layout, kubeconfig, PauseImage, ports);
        foreach (var hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup"))
        {
            // kubelet requires its cgroup root to exist in every hierarchy (cgroup v1).
            if (File.Exists(Path.Combine(hierarchy, "cgroup.procs"))) Directory.CreateDirectory(Path.Combine(hierarchy, NodeLayout.CgroupRoot));
        }

        Start("containerd", "/usr/bin/containerd", ["--config", _layout.ContainerdConfig]);
        await WaitAsync("containerd", TimeSpan.FromSeconds(30), async ct => await Ctr(ct, "version") is not null, cancellationToken);
        if (await Ctr(cancellationToken, "-n", "k8s.io", "images", "import", pauseArchive) is null)
        {
            throw new ControlPlaneException($"Importing the pause image {pauseArchive} into containerd failed (log: {_layout.Log("containerd")}).");
        }

        Start("kubelet", binaries.Kubelet,
        [
            $"--kubeconfig={kubeconfig}", $"--config={_layout.KubeletConfig}",
            "--container-runtime=remote", $"--container-runtime-endpoint=unix://{_layout.ContainerdSocket}",
            $"--image-service-endpoint=unix://{_layout.ContainerdSocket}", $"--pod-infra-container-image={PauseImage}",
            $"--root-dir={_layout.KubeletRoot}", $"--cert-dir={_layout.KubeletCerts}", $"--volume-plugin-dir={_layout.KubeletVolumePlugins}",
            // The API server then reaches the kubelet (logs, exec, stats) through /etc/hosts, never a DNS server; the
            // node address is the bridge (kubelet refuses loopback), so nothing refers to the host's own network.
            $"--hostname-override={NodeConfigFiles.NodeName}", $"--node-ip={ClusterNetwork.BridgeGateway}", "--v=1",
        ],
        // kubelet's built-in AWS credential provider would probe the cloud metadata address.
        new Dictionary<string, string> { ["AWS_EC2_METADATA_DISABLED"] = "true" });
        Start("kube-scheduler", binaries.KubeScheduler,
        [
            $"--kubeconfig={kubeconfig}", $"--authentication-kubeconfig={kubeconfig}", $"--authorization-kubeconfig={kubeconfig}",
            "--leader-elect=false", "--bind-address=127.0.0.1", $"--secure-port={FreePorts.Next()}", "--port=0",
        ]);
        Start("kube-proxy", binaries.KubeProxy, [$"--config={_layout.ProxyConfig}", $"--hostname-override={NodeConfigFiles.NodeName}"]);
        WriteState();

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await WaitAsync("kubelet", ReadyTimeout, async ct =>
        {
            var node = await client.CoreV1.ReadNodeAsync(NodeConfigFiles.NodeName, cancellationToken: ct);
            return node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
        }, cancellationToken);
        await UntaintAsync(client, cancellationToken);
    }

    // kubelet registers with the not-ready taint; only the controller manager's nodelifecycle controller (not run
    // here: it also evicts) would remove it.
    private static async Task UntaintAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var node = await client.CoreV1.ReadNodeAsync(NodeConfigFiles.NodeName, cancellationToken: cancellationToken);
        if (node.Spec?.Taints is not { Count: > 0 } taints) return;
        node.Spec.Taints = taints.Where(t => !t.Key.StartsWith("node.kubernetes.io/", StringComparison.Ordinal)).ToList();
        await client.CoreV1.ReplaceNodeAsync(node, node.Name(), cancellationToken: cancellationToken);
    }

    private void Start(string name, string binary, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        _processes.Add(ManagedProcess.Start(name, binary, args, _layout.Log(name), _detached, environment));

    private void WriteState() => File.WriteAllLines(_layout.StateFile, _processes.Select(p => $"{p.Name} {p.Pid} {p.LogFile}"));

    private async Task<string?> Ctr(CancellationToken cancellationToken, params string[] args)
    {
        var psi = new ProcessStartInfo("ctr") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--address");
        psi.ArgumentList.Add(_layout.ContainerdSocket);
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? output : null;
    }

    /// <summary>Waits for <paramref name="name"/>'s probe; any node process that exits meanwhile fails the start with its log.</summary>
    private async Task WaitAsync(string name, TimeSpan timeout, Func<CancellationToken, Task<bool>> probe, CancellationToken cancellationToken)
    {
        if (await ReadinessWait.UntilAsync(_processes, timeout, probe, cancellationToken)) return;
        throw _processes.FirstOrDefault(p => p.HasExited) is { } dead
            ? ReadinessWait.NotReady(dead, $"{dead.Name} exited while the node was starting")
            : ReadinessWait.NotReady(_processes.Single(p => p.Name == name), $"{name} was not ready within {timeout.TotalSeconds:0}s");
    }

    /// <summary>Deletes every pod (so the kubelet tears their networks down), then stops processes and undoes the host changes.</summary>
    public async Task StopAsync(string? kubeconfig)
    {
        if (_disposed) return;
        _disposed = true;
        var scheduler = _processes.FirstOrDefault(p => p.Name == "kube-scheduler");
        if (scheduler is not null) await scheduler.StopAsync(StopGrace); // recreated pods stay Pending
        if (kubeconfig is not null && _processes.FirstOrDefault(p => p.Name == "kubelet") is { HasExited: false })
        {
            await DeletePodsAsync(kubeconfig);
        }
        foreach (var process in _processes.AsEnumerable().Reverse().Where(p => p.Name != "containerd"))
        {
            await process.StopAsync(StopGrace);
        }
        try
        {
            // Kills and removes what containers remain, stops containerd, unmounts, removes the bridge and chains.
            await NodeHostScript.RunAsync(_layout.Script, _progress, CancellationToken.None, "teardown", _layout.Root);
        }
        finally
        {
            foreach (var process in _processes) await process.StopAsync(StopGrace);
            TryDelete(_layout.Root);
        }
    }

    private async Task DeletePodsAsync(string kubeconfig)
    {
        try
        {
            using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var pods = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={NodeConfigFiles.NodeName}", cancellationToken: cts.Token);
            foreach (var pod in pods.Items)
            {
                await client.CoreV1.DeleteNamespacedPodAsync(pod.Name(), pod.Namespace(), gracePeriodSeconds: 0, cancellationToken: cts.Token);
            }
            // The kubelet stops each sandbox and runs the CNI DEL; wait until containerd has no task left.
            while (!cts.IsCancellationRequested && await Ctr(cts.Token, "-n", "k8s.io", "tasks", "ls", "-q") is { } tasks && tasks.Trim().Length > 0)
            {
                await Task.Delay(250, cts.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            await _progress.WriteLineAsync($"==> [node] pods were not all gone before stop ({e.GetType().Name}); the teardown kills the rest");
        }
    }

    public ValueTask DisposeAsync() => _detached ? ValueTask.CompletedTask : new ValueTask(StopAsync(kubeconfig: null));

    /// <summary>Stops a node started detached (<c>make cluster-down</c>), from its run directory alone.</summary>
    public static async Task StopDetachedAsync(string runDirectory, TextWriter progress)
    {
        var layout = new NodeLayout(runDirectory);
        if (!File.Exists(layout.Script)) return;
        await NodeHostScript.RunAsync(layout.Script, progress, CancellationToken.None, "teardown", layout.Root);
        TryDelete(layout.Root);
    }

    private static Dictionary<string, string> ParseKeyValues(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    private static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t')[1] == "0");

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort: the teardown already unmounted everything below it
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
