using System.Diagnostics;
using GmsaOperator.EndToEndTests.Environment;

namespace GmsaOperator.EndToEndTests.NodeLifecycle;

/// <summary>
/// A test host that dies (kill -9) must not leave a node behind: the watchdogs stop every process it started and
/// the teardown removes the bridge, the pods' netns, mounts and chains and restores the sysctls.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NodeCrashCleanupTests
{
    [Test]
    public async Task KilledHost_LeavesNoProcessBridgeMountOrSysctlBehind()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"gmsa-e2e-crash-{Guid.NewGuid():N}"[..30]);
        var before = await HostSnapshot.TakeAsync(dir);
        var devHost = Path.Combine(RepositoryRoot.Path, "src", "Operator", "DevCluster", "bin", "Debug", "net10.0", "gmsa-operator-dev");
        var psi = new ProcessStartInfo(devHost, ["local-cluster", "up", "--node", "--foreground", "--dir", dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var host = Process.Start(psi)!;
        _ = host.StandardError.ReadToEndAsync();
        try
        {
            using (var up = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                while (await host.StandardOutput.ReadLineAsync(up.Token) is { } line && !line.StartsWith("Local control plane is up", StringComparison.Ordinal))
                {
                }
            }
            var kubeconfig = Path.Combine(dir, "kubeconfig");
            var pause = (await Shell.SucceedAsync("bash", ["hack/local-node.sh", "prepare"], TimeSpan.FromMinutes(5)))
                .Split('\n').Single(l => l.StartsWith("pause_image=", StringComparison.Ordinal))["pause_image=".Length..];
            await Shell.SucceedAsync("kubectl", ["--kubeconfig", kubeconfig, "run", "victim", $"--image={pause}", "--image-pull-policy=IfNotPresent"], TimeSpan.FromMinutes(1));
            await Shell.SucceedAsync("kubectl", ["--kubeconfig", kubeconfig, "wait", "--for=condition=Ready", "pod/victim", "--timeout=60s"], TimeSpan.FromMinutes(2));
            var pids = File.ReadAllLines(Path.Combine(dir, "pids")).Concat(File.ReadAllLines(Path.Combine(dir, "node", "pids")))
                .Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.That(pids, Has.Count.EqualTo(7), "etcd, kube-apiserver, kube-controller-manager, containerd, kubelet, kube-scheduler, kube-proxy");

            host.Kill(); // SIGKILL: nothing in the host runs after this
            var sw = Stopwatch.StartNew();
            await Eventually.HoldsAsync(async _ =>
            {
                var alive = pids.Where(p => Directory.Exists($"/proc/{p}") && !File.ReadAllText($"/proc/{p}/stat").Contains(") Z", StringComparison.Ordinal)).ToList();
                if (alive.Count > 0) throw new InvalidOperationException($"still running: {string.Join(", ", alive)}");
                var after = await HostSnapshot.TakeAsync(dir);
                return after == before ? after : throw new InvalidOperationException($"host differs:\nbefore {before}\nafter  {after}");
            }, TimeSpan.FromSeconds(90), "the watchdogs to stop every process and the teardown to restore the host");
            await TestContext.Progress.WriteLineAsync($"crash cleanup: 7 processes stopped, bridge, netns, mounts and sysctls restored {sw.Elapsed.TotalSeconds:0.0}s after kill -9");
        }
        finally
        {
            if (!host.HasExited) host.Kill(entireProcessTree: true);
            await Shell.RunAsync("bash", ["hack/local-node.sh", "teardown", Path.Combine(dir, "node")], TimeSpan.FromMinutes(2));
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
