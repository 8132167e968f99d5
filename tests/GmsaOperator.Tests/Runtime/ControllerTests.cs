using System.Collections.Concurrent;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Hosting;
using GmsaOperator.Runtime.Informers;
using GmsaOperator.Runtime.Metrics;
using GmsaOperator.Runtime.Queue;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static GmsaOperator.Tests.Runtime.FakeKubernetesTransport;

namespace GmsaOperator.Tests.Runtime;

public sealed partial class ControllerTests
{
    /// <summary>A scriptable reconciler: records calls and returns/throws what the test says.</summary>
    internal sealed class ScriptedReconciler(Script script) : IReconciler
    {
        public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
        {
            script.Calls.Enqueue((key, script.Time.GetUtcNow()));
            await Task.Yield();
            return script.Behaviour(key);
        }
    }

    internal sealed class Script(FakeTimeProvider time)
    {
        public FakeTimeProvider Time { get; } = time;
        public ConcurrentQueue<(ObjectKey Key, DateTimeOffset At)> Calls { get; } = new();
        public Func<ObjectKey, ReconcileResult> Behaviour { get; set; } = _ => ReconcileResult.Done;
    }

    private FakeKubernetesTransport _transport = null!;
    private FakeTimeProvider _time = null!;
    private Script _script = null!;
    private ServiceCollection _registrations = null!;
    private ServiceProvider _services = null!;
    private CancellationTokenSource _stop = null!;
    private Task _informers = Task.CompletedTask;
    private Task _controller = Task.CompletedTask;

    [SetUp]
    public void SetUp()
    {
        _transport = new FakeKubernetesTransport();
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _script = new Script(_time);
        _stop = new CancellationTokenSource();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKubernetes>(Client(_transport));
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(_script);
        services.AddOperatorRuntime(o => o.WatchNamespace = "ns");
        _registrations = services;
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        await _controller;
        await _informers;
        if (_services is not null) await _services.DisposeAsync();
        _stop.Dispose();
        _transport.Dispose();
    }

    private Controller Start(Action<ControllerBuilder<V1ConfigMap>>? configure = null)
    {
        _transport.List("10", ConfigMap("a", "5"));
        _registrations.AddController<ScriptedReconciler, V1ConfigMap>("test", configure);
        _services = _registrations.BuildServiceProvider();
        var registry = _services.GetRequiredService<InformerRegistry>();
        var definition = _services.GetRequiredService<ControllerDefinition>();
        definition.Prepare(registry);
        registry.StartAll(_stop.Token);
        _informers = registry.WhenStoppedAsync();
        var controller = new Controller(definition, registry, _services.GetRequiredService<IServiceScopeFactory>(),
            _services.GetRequiredService<RuntimeMetrics>(), _time, TimeSpan.FromSeconds(5), NullLogger.Instance);
        _controller = Task.Run(() => controller.RunAsync(_stop.Token));
        return controller;
    }

    [Test]
    public async Task ReconcilesTheKeyFromTheCacheAndForgetsOnSuccess()
    {
        Start();
        await Eventually.TrueAsync(() => _script.Calls.Count == 1, "the first reconcile");

        Assert.That(_script.Calls.Single().Key, Is.EqualTo(new ObjectKey("ns", "a")));
    }

    [Test]
    public async Task GenerationFilter_StatusOnlyUpdateOfThePrimary_DoesNotEnqueueIt()
    {
        // Listed: a. Then watched: a's status changes (generation unchanged), b is created.
        var statusOnly = ConfigMap("a", "11");
        statusOnly.Metadata.Generation = null;
        _transport.Watch(FakeKubernetesTransport.Event("MODIFIED", statusOnly), FakeKubernetesTransport.Event("ADDED", ConfigMap("b", "12")));
        Controller? controller = null;
        int? queuedWhileReconcilingB = null;
        _script.Behaviour = key =>
        {
            var store = _services.GetRequiredService<InformerRegistry>().For<V1ConfigMap>().Store;
            // a's first reconcile lasts until both watch events were handled (b in the cache means a's update was
            // dispatched too), so an enqueue of a by its update would re-queue it behind b (one worker).
            if (key.Name == "a" && _script.Calls.Count == 1 && !SpinWait.SpinUntil(() => store.Get(new ObjectKey("ns", "b")) is not null, TimeSpan.FromSeconds(10)))
                throw new TimeoutException("b never reached the cache");
            if (key.Name == "b") queuedWhileReconcilingB = controller!.Queue!.Count;
            return ReconcileResult.Done;
        };

        controller = Start(c => c.WithPrimaryFilter(EventFilters.GenerationChanged));

        await Eventually.TrueAsync(() => queuedWhileReconcilingB is not null, "b's reconcile");
        Assert.That(queuedWhileReconcilingB, Is.Zero, "a was enqueued again by its status-only update");
        Assert.That(_script.Calls.Select(c => c.Key.Name), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void GenerationChanged_PassesCreatesDeletesAndSpecChanges_NotOtherUpdates()
    {
        V1ConfigMap At(long? generation)
        {
            var cm = ConfigMap("a", "1");
            cm.Metadata.Generation = generation;
            return cm;
        }
        Assert.Multiple(() =>
        {
            Assert.That(EventFilters.GenerationChanged(new InformerEvent<V1ConfigMap>(InformerEventType.Added, At(1), null)), Is.True);
            Assert.That(EventFilters.GenerationChanged(new InformerEvent<V1ConfigMap>(InformerEventType.Deleted, At(1), null)), Is.True);
            Assert.That(EventFilters.GenerationChanged(new InformerEvent<V1ConfigMap>(InformerEventType.Updated, At(2), At(1))), Is.True);
            Assert.That(EventFilters.GenerationChanged(new InformerEvent<V1ConfigMap>(InformerEventType.Updated, At(1), At(1))), Is.False);
        });
    }

    [Test]
    public async Task HonoursRequeueAfter()
    {
        _script.Behaviour = _ => ReconcileResult.After(TimeSpan.FromMinutes(3));
        var controller = Start();
        await Eventually.TrueAsync(() => controller.Queue?.DelayedCount == 1, "the first reconcile to requeue");
        var first = _script.Calls.Single().At;

        _time.Advance(TimeSpan.FromMinutes(3) - TimeSpan.FromMilliseconds(1));
        // The fake clock runs due timers inside Advance: a requeue due by now would already have left the delayed set.
        Assert.That(controller.Queue!.DelayedCount, Is.EqualTo(1), "the key was requeued before its RequeueAfter");
        Assert.That(_script.Calls, Has.Count.EqualTo(1));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => _script.Calls.Count == 2, "the requeued reconcile");

        Assert.That(_script.Calls.Last().At - first, Is.EqualTo(TimeSpan.FromMinutes(3)));
    }

    [Test]
    public async Task FailuresAreRetriedWithGrowingDelays()
    {
        _script.Behaviour = _ => throw new InvalidOperationException("boom");
        var controller = Start();
        for (var i = 2; i <= 5; i++)
        {
            // Step the fake clock until the retry timer fires, so the measured gap is the rate limiter's delay.
            await Eventually.TrueAsync(() => controller.Queue?.DelayedCount == 1, "the retry to be scheduled");
            while (controller.Queue?.DelayedCount == 1) _time.Advance(TimeSpan.FromMilliseconds(1)); // fake timers fire inside Advance
            await Eventually.TrueAsync(() => _script.Calls.Count == i, "the retry");
        }
        var at = _script.Calls.Select(c => c.At).ToList();
        var gaps = at.Zip(at.Skip(1), (x, y) => (y - x).TotalMilliseconds).ToList();

        Assert.That(gaps, Is.EqualTo(new double[] { 5, 10, 20, 40 }));
    }
}
