using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Hosting;
using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.Queue;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using static GmsaOperator.Tests.Runtime.FakeKubernetesTransport;

namespace GmsaOperator.Tests.Runtime;

/// <summary>Fixed-key controllers (one constant key for every watched change) and controllers that run on every replica.</summary>
public sealed partial class ControllerTests
{
    private static readonly ObjectKey Fixed = new(null, "singleton");

    /// <summary>Registers <paramref name="controllers"/>, starts the informers and returns the manager (controllers not yet running).</summary>
    private ControllerManager StartInformers(Action<IServiceCollection> controllers)
    {
        controllers(_registrations);
        _services = _registrations.BuildServiceProvider();
        var manager = _services.GetRequiredService<ControllerManager>();
        manager.Prepare();
        var registry = _services.GetRequiredService<InformerRegistry>();
        registry.StartAll(_stop.Token);
        _informers = registry.WhenStoppedAsync();
        return manager;
    }

    private static void AddSingleton(IServiceCollection services) =>
        services.AddFixedKeyController<ScriptedReconciler>("singleton", Fixed, c => c
            .Watches<V1ConfigMap>(InformerScope.Named("ns", "a"))
            .Watches<V1ConfigMap>(InformerScope.Named("ns", "b"))
            .OnEveryReplica());

    [Test]
    public async Task NothingWatchedExists_TheKeyIsStillReconciledOnceTheCachesSynced()
    {
        _transport.List("1");
        _transport.List("1");
        var manager = StartInformers(AddSingleton);
        _controller = Task.Run(() => manager.RunEveryReplicaAsync(_stop.Token));

        await Eventually.TrueAsync(() => _script.Calls.Count == 1, "the first reconcile");
        Assert.That(_script.Calls.Single().Key, Is.EqualTo(Fixed));
    }

    [Test]
    public async Task ChangesOfEveryWatchedObject_QueueTheOneKey_AndABurstIsOneReconcile()
    {
        _transport.List("1", ConfigMap("a", "1"));
        _transport.List("1", ConfigMap("b", "1"));
        var entered = new SemaphoreSlim(0);
        var release = new SemaphoreSlim(0);
        _script.Behaviour = _ =>
        {
            entered.Release();
            // The first reconcile holds the key while the burst arrives.
            if (_script.Calls.Count == 1 && !release.Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException();
            return ReconcileResult.Done;
        };
        var manager = StartInformers(AddSingleton);
        _controller = Task.Run(() => manager.RunEveryReplicaAsync(_stop.Token));
        Assert.That(await entered.WaitAsync(TimeSpan.FromSeconds(10)), Is.True, "the first reconcile");

        var registry = _services.GetRequiredService<InformerRegistry>();
        var informers = new[] { registry.For<V1ConfigMap>(InformerScope.Named("ns", "a")), registry.For<V1ConfigMap>(InformerScope.Named("ns", "b")) };
        Assert.That(informers.All(i => i.Store.Count == 1), Is.True, "both objects cached by their own informer");
        // Both objects were added (replayed) and the start queued the key: all of it is the one key, queued once while held.
        Assert.That(_script.Calls, Has.Count.EqualTo(1));
        release.Release();
        await _stop.CancelAsync();
        await _controller;

        Assert.That(_script.Calls.Select(c => c.Key), Is.All.EqualTo(Fixed));
        Assert.That(_script.Calls, Has.Count.LessThanOrEqualTo(2), "the adds of a and b and the start are coalesced: at most one redo after the held reconcile");
        entered.Dispose();
        release.Dispose();
    }

    [Test]
    public async Task ScheduledCheck_AfterTheDelayReturned()
    {
        _transport.List("1");
        _transport.List("1");
        _script.Behaviour = _ => ReconcileResult.After(TimeSpan.FromMinutes(1));
        var manager = StartInformers(AddSingleton);
        _controller = Task.Run(() => manager.RunEveryReplicaAsync(_stop.Token));
        await Eventually.TrueAsync(() => _script.Calls.Count == 1, "the first reconcile");
        await Eventually.TrueAsync(() => _script.Calls.Count == 1 && _time.GetUtcNow() == _script.Calls.Single().At, "the requeue to be scheduled");

        // Step until the timer fires: the fake clock runs due timers inside Advance.
        for (var i = 0; i < 60 && _script.Calls.Count == 1; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }
        await Eventually.TrueAsync(() => _script.Calls.Count == 2, "the scheduled reconcile");
        Assert.That(_script.Calls.Last().At - _script.Calls.First().At, Is.EqualTo(TimeSpan.FromMinutes(1)));
    }

    [Test]
    public async Task EveryReplicaControllers_RunWithoutLeadership_LeaderOnlyOnesDoNot()
    {
        // The fake server does not filter: whichever informer lists first, the primary informer holds x.
        for (var i = 0; i < 3; i++) _transport.List("1", ConfigMap("x", "1"));
        var manager = StartInformers(services =>
        {
            services.AddController<ScriptedReconciler, V1ConfigMap>("leader-only");
            AddSingleton(services);
        });
        var definitions = _services.GetServices<ControllerDefinition>().ToDictionary(d => d.Name);
        Assert.That(definitions["leader-only"].RequiresLeadership, Is.True, "leader-only is the default");
        Assert.That(definitions["singleton"].RequiresLeadership, Is.False);

        _controller = Task.Run(() => manager.RunEveryReplicaAsync(_stop.Token));
        await Eventually.TrueAsync(() => _script.Calls.Count == 1, "the every-replica reconcile");
        Assert.That(_script.Calls.Single().Key, Is.EqualTo(Fixed), "the leader-only controller did not run without a term");

        using var term = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var leading = Task.Run(() => manager.RunLeaderOnlyAsync(term.Token));
        await Eventually.TrueAsync(() => _script.Calls.Any(c => c.Key == new ObjectKey("ns", "x")), "the leader-only reconcile in a term");
        await term.CancelAsync();
        await leading;
        Assert.That(_script.Calls.Count(c => c.Key == Fixed), Is.EqualTo(1), "a term does not start the every-replica controller again");
    }
}
