using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Client;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>
/// Reads of a namespace before its cache has synced go to the API server (concurrent ones share one request); once the
/// cache holds its first list they are answered from it.
/// </summary>
public sealed class ReadThroughListTests : IntegrationTest
{
    [Test]
    public async Task BeforeTheFirstList_TheApiServerAnswers_SharedByConcurrentReads_AfterIt_TheCache()
    {
        foreach (var name in new[] { "a", "b" })
        {
            await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, Namespace);
        }
        var gate = new ListGate();
        using var client = new StreamingKubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath), gate);
        var registry = new InformerRegistry(client, new OperatorRuntimeOptions(), TimeProvider.System, NullLoggerFactory.Instance);
        var cache = new ObjectCache(registry);
        var informer = registry.For<V1ServiceAccount>(); // declared, not started: nothing cached yet

        // Concurrent reads while the one request is held: they all wait for it.
        var reads = Enumerable.Range(0, 8).Select(_ => cache.ListReadThroughAsync<V1ServiceAccount>(Namespace, default).AsTask()).ToList();
        await Eventually.HoldsAsync(_ => Task.FromResult(gate.Lists == 1 ? (object)true : null), TimeSpan.FromSeconds(10), "the first read sent its list");
        Assert.That(reads.Any(r => r.IsCompleted), Is.False, "no read answered before the API server did");
        gate.Open();
        var answers = await Task.WhenAll(reads);
        Assert.Multiple(() =>
        {
            Assert.That(gate.Lists, Is.EqualTo(1), "concurrent reads of a namespace share one request");
            foreach (var answer in answers)
            {
                Assert.That(answer.Select(sa => sa.Metadata.Name), Is.SupersetOf(new[] { "a", "b" }));
                Assert.That(answer.Select(sa => sa.Metadata.NamespaceProperty).Distinct(), Is.EqualTo(new[] { Namespace }));
            }
        });

        // A read after that request finished sends its own: it must see what was created since.
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "c" } }, Namespace);
        var later = await Eventually.HoldsAsync(async ct =>
        {
            var list = await cache.ListReadThroughAsync<V1ServiceAccount>(Namespace, ct);
            return list.Any(sa => sa.Metadata.Name == "c") ? list : null;
        }, TimeSpan.FromSeconds(10), "service account c read through");
        Assert.That(gate.Lists, Is.GreaterThanOrEqualTo(2));

        // Once synced, the cache answers: no further request.
        using var stop = new CancellationTokenSource();
        registry.StartAll(stop.Token);
        try
        {
            await informer.WaitForSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            var before = gate.Lists;
            var cached = await cache.ListReadThroughAsync<V1ServiceAccount>(Namespace, default);
            Assert.That(cached.Select(sa => sa.Metadata.Name), Is.SupersetOf(new[] { "a", "b", "c" }));
            Assert.That(gate.Lists, Is.EqualTo(before), "answered from the cache");
        }
        finally
        {
            await stop.CancelAsync();
            await registry.WhenStoppedAsync();
        }
    }

    /// <summary>Counts list requests and holds them until opened.</summary>
    private sealed class ListGate : DelegatingHandler
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _lists;

        public int Lists => Volatile.Read(ref _lists);

        public void Open() => _open.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && !request.RequestUri!.Query.Contains("watch=true", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _lists);
                await _open.Task.WaitAsync(cancellationToken);
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
