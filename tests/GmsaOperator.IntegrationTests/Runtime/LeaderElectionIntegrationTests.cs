using System.Diagnostics;
using GmsaOperator.Runtime.LeaderElection;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>Replicas contend for one Lease: exactly one leads; graceful stop hands over in seconds, a crash after the lease expires.</summary>
public sealed class LeaderElectionIntegrationTests : IntegrationTest
{
    private readonly List<IHost> _hosts = [];

    [TearDown]
    public async Task StopHosts()
    {
        foreach (var host in _hosts)
        {
            try
            {
                await host.StopAsync(TimeSpan.FromSeconds(30));
            }
            catch (ObjectDisposedException)
            {
            }
            host.Dispose();
        }
    }

    /// <summary>Another service whose shutdown hook takes a while (like a webhook server draining its connections).</summary>
    private sealed class SlowToStopService : IHostedLifecycleService
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppingAsync(CancellationToken cancellationToken) => Release.Task.WaitAsync(cancellationToken);
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Test]
    public async Task StoppingLeader_ReleasesTheLease_WhileOtherServicesStillDrain()
    {
        var slow = new SlowToStopService();
        var a = RuntimeHost.Build(Namespace, "replica-a", services: s => s.AddHostedService(_ => slow));
        _hosts.Add(a);
        await a.StartAsync();
        await Eventually.HoldsAsync(_ => Task.FromResult(Leads(a) ? "a" : null), TimeSpan.FromSeconds(10), "replica-a to lead");

        // As on SIGTERM: the console lifetime signals ApplicationStopping, and the running host then stops its services.
        var stopping = a.WaitForShutdownAsync();
        a.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        // The other service is still in its shutdown hook: the Lease must already be free for a successor.
        await Eventually.HoldsAsync(async _ => await LeaseHolderAsync() == "" ? "released" : null, TimeSpan.FromSeconds(10), "the Lease to be released during the drain");
        Assert.That(stopping.IsCompleted, Is.False, "the host is still stopping");
        slow.Release.SetResult();
        await stopping;
    }

    private async Task<IHost> StartAsync(string identity, bool releaseOnStop = true)
    {
        var host = RuntimeHost.Build(Namespace, identity, o => o.LeaderElection.ReleaseOnStop = releaseOnStop);
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    private static LeaderElectionService Election(IHost host) => host.Services.GetRequiredService<LeaderElectionService>();

    private static bool Leads(IHost host) => Election(host).IsLeader;

    private async Task<string> LeaseHolderAsync() =>
        (await Client.CoordinationV1.ReadNamespacedLeaseAsync("test-leader", Namespace)).Spec.HolderIdentity;

    [Test]
    public async Task OneLeadsGracefulStopHandsOverFastCrashHandsOverAfterExpiry()
    {
        var a = await StartAsync("replica-a");
        await Eventually.HoldsAsync(_ => Task.FromResult(Leads(a) ? "a" : null), TimeSpan.FromSeconds(10), "replica-a to lead");
        var b = await StartAsync("replica-b", releaseOnStop: false);
        var c = await StartAsync("replica-c");
        await Eventually.HoldsAsync(_ => Task.FromResult(new[] { b, c }.All(h => Election(h).ObservedLeader == "replica-a") ? "campaigned" : null),
            TimeSpan.FromSeconds(10), "replica-b and replica-c to campaign and see replica-a holding the Lease");
        Assert.That(new[] { a, b, c }.Count(Leads), Is.EqualTo(1), "exactly one leader");
        Assert.That(await LeaseHolderAsync(), Is.EqualTo("replica-a"));

        var sw = Stopwatch.StartNew();
        await a.StopAsync();
        // Released on stop; a waiting replica watching the Lease may already have taken it.
        Assert.That(await LeaseHolderAsync(), Is.Not.EqualTo("replica-a"), "the lease was released");
        var next = await Eventually.HoldsAsync(_ => Task.FromResult(new[] { b, c }.FirstOrDefault(Leads)), TimeSpan.FromSeconds(5), "a successor after a graceful stop");
        TestContext.Progress.WriteLine($"graceful handover in {sw.Elapsed.TotalSeconds:0.0}s");
        Assert.That(new[] { b, c }.Count(Leads), Is.EqualTo(1));

        if (next == c)
        {
            // Make b the leader so the crash test below kills a non-releasing replica.
            await c.StopAsync();
            await Eventually.HoldsAsync(_ => Task.FromResult(Leads(b) ? "b" : null), TimeSpan.FromSeconds(5), "replica-b to lead");
            c = await StartAsync("replica-c2");
        }

        sw.Restart();
        await b.StopAsync(); // stops renewing but does not release: a crash as far as the Lease is concerned
        Assert.That(await LeaseHolderAsync(), Is.EqualTo("replica-b"));
        await Eventually.HoldsAsync(_ => Task.FromResult(Leads(c) ? "c" : null), TimeSpan.FromSeconds(20), "a successor after a crash");
        TestContext.Progress.WriteLine($"crash handover in {sw.Elapsed.TotalSeconds:0.0}s");
    }

    [Test]
    public async Task WaitingReplica_TakesOverTheMomentTheLeaseIsReleased()
    {
        // Replicas poll a held Lease only every 20 s: leading within 5 s of the release can only come from the watch.
        void SlowPolling(GmsaOperator.Runtime.OperatorRuntimeOptions o)
        {
            o.LeaderElection.LeaseDuration = TimeSpan.FromSeconds(60);
            o.LeaderElection.RenewDeadline = TimeSpan.FromSeconds(40);
            o.LeaderElection.RetryPeriod = TimeSpan.FromSeconds(20);
        }
        var a = RuntimeHost.Build(Namespace, "replica-a", SlowPolling);
        _hosts.Add(a);
        await a.StartAsync();
        await Eventually.HoldsAsync(_ => Task.FromResult(Leads(a) ? "a" : null), TimeSpan.FromSeconds(10), "replica-a to lead");
        var b = RuntimeHost.Build(Namespace, "replica-b", SlowPolling);
        _hosts.Add(b);
        await b.StartAsync();
        var watcher = (LeaseReleaseWatcher)b.Services.GetRequiredService<ILeaseReleaseWatcher>();
        await Eventually.HoldsAsync(_ => Task.FromResult(watcher.WatchesStarted > 0 ? "watching" : null), TimeSpan.FromSeconds(10), "replica-b to watch the Lease");
        Assert.That(Leads(b), Is.False);

        var sw = Stopwatch.StartNew();
        await a.StopAsync();
        await Eventually.HoldsAsync(_ => Task.FromResult(Leads(b) ? "b" : null), TimeSpan.FromSeconds(5), "replica-b to lead after replica-a released the Lease");
        TestContext.Progress.WriteLine($"released Lease taken over in {sw.Elapsed.TotalSeconds:0.00}s");
        Assert.That(await LeaseHolderAsync(), Is.EqualTo("replica-b"));
    }
}
