using System.Diagnostics;
using k8s;
using GmsaOperator.LocalControlPlane;

namespace GmsaOperator.IntegrationTests.Reliability;

/// <summary>
/// Two operator processes; the leader is SIGKILLed while 500 bindings are pending → the other takes over after the
/// lease expires, all become Ready, and every binding has exactly one RoleBinding (none doubled or orphaned). Soak.
/// </summary>
[NonParallelizable]
[Category("Soak")]
public sealed class LeaderFailoverTests : IntegrationTest
{
    private const string LeaseNamespace = "gmsa-soak-failover";
    private string CredSpec => $"{Namespace}-webapp1";

    [Test]
    public async Task LeaderKilledWith500Pending_AllReady_NoDuplicateOrOrphan()
    {
        const int count = 500;
        await ClusterObjects.EnsureActiveNamespaceAsync(LeaseNamespace);
        await ReliabilityCluster.CreateCredSpecAsync(CredSpec);
        var a = StartOperator("a");
        var b = StartOperator("b");
        try
        {
            var leader = await Eventually.HoldsAsync(async ct =>
                (await Client.CoordinationV1.ReadNamespacedLeaseAsync("gmsa-operator-leader", LeaseNamespace, cancellationToken: ct)).Spec?.HolderIdentity is { Length: > 0 } holder ? holder : null,
                TimeSpan.FromMinutes(1), "a leader");
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
            await ReliabilityCluster.CreateBindingsAsync(Namespace, CredSpec, 0, count, cts.Token);
            await Eventually.HoldsAsync(async ct => (await ReliabilityCluster.ReadyAsync(Namespace, ct)).Count > 0 ? "some" : null, TimeSpan.FromMinutes(1), "reconciling to start");

            var (victim, survivor) = leader.StartsWith("soak-a", StringComparison.Ordinal) ? (a, b) : (b, a);
            var pendingAtKill = count - (await ReliabilityCluster.ReadyAsync(Namespace, cts.Token)).Count;
            victim.Kill(); // SIGKILL: no lease release, no graceful drain
            TestContext.Progress.WriteLine($"failover: killed leader {leader} with {pendingAtKill} bindings pending");

            await ReliabilityCluster.WaitAllReadyAsync(Namespace, count, TimeSpan.FromMinutes(5));
            Assert.That(survivor.HasExited, Is.False, "the survivor keeps running");
            await ReliabilityCluster.AssertOneRoleBindingPerBindingAsync(Namespace, count);
        }
        finally
        {
            foreach (var p in new[] { a, b })
            {
                if (!p.HasExited) p.Kill();
                p.Dispose();
            }
            await ReliabilityCluster.DeleteCredSpecAsync(CredSpec);
        }
    }

    /// <summary>The operator executable copied next to the tests, with POD_NAME to tell the replicas apart in the Lease.</summary>
    private static Process StartOperator(string name)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "gmsa-operator")) { RedirectStandardOutput = false, UseShellExecute = false };
        foreach (var arg in new[] { "run", "--kubeconfig", ControlPlaneSetup.Plane.KubeconfigPath, "--namespace", LeaseNamespace,
                     "--webhook-port", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--health-port", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "--local-webhooks", "false" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["POD_NAME"] = $"soak-{name}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        return Process.Start(start) ?? throw new InvalidOperationException("could not start gmsa-operator");
    }
}
