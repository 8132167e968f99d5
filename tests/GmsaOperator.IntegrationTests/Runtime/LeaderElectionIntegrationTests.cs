using System.Diagnostics;
using GmsaOperator.Operator.Runtime.LeaderElection;
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

    private async Task<IHost> StartAsync(string identity, bool releaseOnStop = true)
    {
        var host = RuntimeHost.Build(Namespace, identity, o => o.LeaderElection.ReleaseOnStop = releaseOnStop);
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    private static bool Leads(IHost host) => host.Services.GetRequiredService<LeaderElectionService>().IsLeader;

    private async Task<string> LeaseHolderAsync() =>
        (await Client.CoordinationV1.ReadNamespacedLeaseAsync("test-leader", Namespace)).Spec.HolderIdentity;

    [Test]
    public async Task OneLeadsGracefulStopHandsOverFastCrashHandsOverAfterExpiry()
    {
        var a = await StartAsync("replica-a");
        await EventuallyAsync(_ => Task.FromResult(Leads(a) ? "a" : null), TimeSpan.FromSeconds(10), "replica-a to lead");
        var b = await StartAsync("replica-b", releaseOnStop: false);
        var c = await StartAsync("replica-c");
        await Task.Delay(TimeSpan.FromSeconds(3)); // b and c campaign at least once
        Assert.That(new[] { a, b, c }.Count(Leads), Is.EqualTo(1), "exactly one leader");
        Assert.That(await LeaseHolderAsync(), Is.EqualTo("replica-a"));

        var sw = Stopwatch.StartNew();
        await a.StopAsync();
        Assert.That(await LeaseHolderAsync(), Is.Empty, "the lease was released");
        var next = await EventuallyAsync(_ => Task.FromResult(new[] { b, c }.FirstOrDefault(Leads)), TimeSpan.FromSeconds(5), "a successor after a graceful stop");
        TestContext.Progress.WriteLine($"graceful handover in {sw.Elapsed.TotalSeconds:0.0}s");
        Assert.That(new[] { b, c }.Count(Leads), Is.EqualTo(1));

        if (next == c)
        {
            // Make b the leader so the crash test below kills a non-releasing replica.
            await c.StopAsync();
            await EventuallyAsync(_ => Task.FromResult(Leads(b) ? "b" : null), TimeSpan.FromSeconds(5), "replica-b to lead");
            c = await StartAsync("replica-c2");
        }

        sw.Restart();
        await b.StopAsync(); // stops renewing but does not release: a crash as far as the Lease is concerned
        Assert.That(await LeaseHolderAsync(), Is.EqualTo("replica-b"));
        await EventuallyAsync(_ => Task.FromResult(Leads(c) ? "c" : null), TimeSpan.FromSeconds(20), "a successor after a crash");
        TestContext.Progress.WriteLine($"crash handover in {sw.Elapsed.TotalSeconds:0.0}s");
    }
}
