using System.Diagnostics;
using GmsaOperator.IntegrationTests.Runtime;

namespace GmsaOperator.IntegrationTests.Reliability;

/// <summary>
/// The operator under API faults: API server down 10 s mid-reconcile, a forced 410 during a burst of creates, 429/5xx
/// injected into its API client. Slow (hundreds of bindings; the API server restarts): category Soak, run by `make soak`.
/// Stops the shared API server, so never in parallel.
/// </summary>
[NonParallelizable]
[Category("Soak")]
public sealed class ApiFaultTests : IntegrationTest
{
    private static readonly TimeSpan Converge = TimeSpan.FromMinutes(5);

    private string CredSpec => $"{Namespace}-webapp1";

    [SetUp]
    public async Task CreateCredSpecAsync()
    {
        await ReliabilityCluster.CreateCredSpecAsync(CredSpec);
    }

    [TearDown]
    public Task DeleteCredSpecAsync() => ReliabilityCluster.DeleteCredSpecAsync(CredSpec);

    [Test]
    public async Task ApiServerDown10sMidReconcile_AllConverge_NoneLost()
    {
        const int count = 500;
        await using var op = await OperatorInTest.StartAsync(new("gmsa-soak-outage"));
        using var cts = new CancellationTokenSource(Converge);
        var creating = ReliabilityCluster.CreateBindingsAsync(Namespace, CredSpec, 0, count, cts.Token);
        await Eventually.HoldsAsync(async ct => (await ReliabilityCluster.ReadyAsync(Namespace, ct)).Count > 0 ? "some" : null, TimeSpan.FromMinutes(1), "reconciling to start");
        try
        {
            await ControlPlaneSetup.Plane.StopApiServerAsync(hard: true);
            await Task.Delay(TimeSpan.FromSeconds(10)); // the outage itself, not a wait for a condition
        }
        finally
        {
            await ControlPlaneSetup.Plane.StartApiServerAsync(CancellationToken.None);
        }
        await creating; // creates retry through the outage
        await ReliabilityCluster.WaitAllReadyAsync(Namespace, count, Converge);
        await ReliabilityCluster.AssertOneRoleBindingPerBindingAsync(Namespace, count);
    }

    [Test]
    public async Task Forced410DuringBurstOfCreates_NoneMissed()
    {
        const int before = 50, burst = 200;
        var network = new OfflineSwitch();
        await using var op = await OperatorInTest.StartAsync(new("gmsa-soak-410") { ApiHandlers = [network] });
        using var cts = new CancellationTokenSource(Converge);
        await ReliabilityCluster.CreateBindingsAsync(Namespace, CredSpec, 0, before, cts.Token);
        await ReliabilityCluster.WaitAllReadyAsync(Namespace, before, Converge);
        var listsBefore = network.Lists;

        // The operator is cut off while a burst of creates lands; etcd is compacted past its resourceVersion and the API
        // server restarted (dropping its watch cache), so resuming the watch gets 410 Gone and forces a relist.
        network.GoOffline();
        try
        {
            await ReliabilityCluster.CreateBindingsAsync(Namespace, CredSpec, before, before + burst, cts.Token);
            await Etcd.RunAsync(cts.Token, "put", "/reliability-test/bump", "1");
            var revision = await Etcd.RevisionAsync(cts.Token);
            await Etcd.RunAsync(cts.Token, "compact", revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await ControlPlaneSetup.Plane.StopApiServerAsync();
        }
        finally
        {
            await ControlPlaneSetup.Plane.StartApiServerAsync(CancellationToken.None);
            network.GoOnline();
        }

        await ReliabilityCluster.WaitAllReadyAsync(Namespace, before + burst, Converge);
        Assert.That(network.Lists, Is.GreaterThan(listsBefore), "the 410 led to a relist");
        await ReliabilityCluster.AssertOneRoleBindingPerBindingAsync(Namespace, before + burst);
    }

    [Test]
    public async Task Injected429And5xx_RetriedWithBackoff_NoHotLoop()
    {
        const int count = 100;
        var faults = new FaultInjector { FailurePercent = 30 };
        await using var op = await OperatorInTest.StartAsync(new("gmsa-soak-faults") { ApiHandlers = [faults] });
        using var cts = new CancellationTokenSource(Converge);
        await ReliabilityCluster.CreateBindingsAsync(Namespace, CredSpec, 0, count, cts.Token);
        await ReliabilityCluster.WaitAllReadyAsync(Namespace, count, Converge);
        Assert.That(faults.Injected, Is.GreaterThan(0), "faults were injected");

        // Every request fails for 10 s while there is work: with backoff the operator sends a bounded number of requests.
        faults.FailurePercent = 100;
        var from = Stopwatch.GetTimestamp();
        await ReliabilityCluster.CreateBindingsAsync(Namespace, CredSpec, count, count + 10, cts.Token);
        await Task.Delay(TimeSpan.FromSeconds(10)); // the fault window itself
        var during = faults.RequestsSince(from);
        faults.FailurePercent = 0;
        TestContext.Progress.WriteLine($"faults: {faults.Injected} injected; {during} requests during the 10 s total outage");
        Assert.That(during, Is.LessThan(300), "no hot loop: requests during a 10 s total outage stay bounded (a hot loop makes thousands)");

        await ReliabilityCluster.WaitAllReadyAsync(Namespace, count + 10, Converge);
        await ReliabilityCluster.AssertOneRoleBindingPerBindingAsync(Namespace, count + 10);
    }
}
