using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>A kind declared metadata-only is listed and watched as PartialObjectMetadata: names and labels cached, nothing else; names-only keeps less still.</summary>
public sealed class MetadataOnlyInformerTests : IntegrationTest
{
    [Test]
    public Task ListedAndWatchedObjects_KeepMetadata_DropEverythingElse() => WithInformerAsync(
        o => o with { MetadataOnly = new HashSet<Type> { typeof(V1ServiceAccount) } },
        async informer =>
        {
            var listed = await CachedAsync(informer, "listed");
            await CreateAsync("watched"); // after the first list: arrives through the watch
            var watched = await CachedAsync(informer, "watched");
            foreach (var sa in new[] { listed, watched })
            {
                Assert.That(sa.Metadata.Labels, Does.ContainKey("tier").WithValue("web"), sa.Metadata.Name);
                Assert.That(sa.Metadata.Uid, Is.Not.Empty, sa.Metadata.Name);
                Assert.That((sa.ApiVersion, sa.Kind), Is.EqualTo(("v1", "ServiceAccount")), sa.Metadata.Name);
                Assert.That(sa.ImagePullSecrets, Is.Null, $"{sa.Metadata.Name}: only metadata is cached");
                Assert.That(sa.AutomountServiceAccountToken, Is.Null, $"{sa.Metadata.Name}: only metadata is cached");
            }
            // The API server itself has the full object.
            var full = await Client.CoreV1.ReadNamespacedServiceAccountAsync("watched", Namespace);
            Assert.That(full.ImagePullSecrets, Has.Count.EqualTo(1));
        });

    [Test]
    public Task NamesOnly_KeepsNameAndNamespace_DropsTheRest() => WithInformerAsync(
        o => o with { NamesOnly = new HashSet<Type> { typeof(V1ServiceAccount) } },
        async informer =>
        {
            var listed = await CachedAsync(informer, "listed");
            await CreateAsync("watched");
            var watched = await CachedAsync(informer, "watched");
            foreach (var sa in new[] { listed, watched })
            {
                Assert.That(sa.Metadata.NamespaceProperty, Is.EqualTo(Namespace), sa.Metadata.Name);
                Assert.That((sa.ApiVersion, sa.Kind), Is.EqualTo(("v1", "ServiceAccount")), sa.Metadata.Name);
                Assert.That(sa.Metadata.ResourceVersion, Is.Null, $"{sa.Metadata.Name}: only the key is held");
                Assert.That(sa.Metadata.Labels, Is.Null, $"{sa.Metadata.Name}: labels dropped");
                Assert.That(sa.Metadata.Uid, Is.Null, $"{sa.Metadata.Name}: uid dropped");
                Assert.That(sa.ImagePullSecrets, Is.Null, $"{sa.Metadata.Name}: only metadata is cached");
            }
            // Deletion still reaches the cache through the watch.
            await Client.CoreV1.DeleteNamespacedServiceAccountAsync("watched", Namespace);
            await Eventually.HoldsAsync(_ => Task.FromResult(informer.Store.Get(new ObjectKey(Namespace, "watched")) is null ? (object)true : null),
                TimeSpan.FromSeconds(10), "service account watched gone from the cache");
        });

    /// <summary>Creates service account "listed", then runs <paramref name="body"/> against a started informer of them.</summary>
    private async Task WithInformerAsync(Func<InformerOptions, InformerOptions> configure, Func<Informer<V1ServiceAccount>, Task> body)
    {
        await CreateAsync("listed");
        using var stop = new CancellationTokenSource();
        var options = new OperatorRuntimeOptions { WatchNamespace = Namespace };
        options.Informers = configure(options.Informers);
        var registry = new InformerRegistry(Client, options, TimeProvider.System, NullLoggerFactory.Instance);
        var informer = registry.For<V1ServiceAccount>();
        registry.StartAll(stop.Token);
        try
        {
            await body(informer);
        }
        finally
        {
            await stop.CancelAsync();
            await registry.WhenStoppedAsync();
        }
    }

    private Task CreateAsync(string name) => Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["tier"] = "web" } },
        AutomountServiceAccountToken = false,
        ImagePullSecrets = [new V1LocalObjectReference { Name = "registry" }],
    }, Namespace);

    private Task<V1ServiceAccount> CachedAsync(Informer<V1ServiceAccount> informer, string name) =>
        Eventually.HoldsAsync(_ => Task.FromResult(informer.Store.Get(new ObjectKey(Namespace, name))), TimeSpan.FromSeconds(10), $"service account {name} in the cache");
}
