using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Informers;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using static GmsaOperator.Tests.Runtime.FakeKubernetesTransport;

namespace GmsaOperator.Tests.Runtime;

public sealed class InformerRegistryTests
{
    [Test]
    public async Task ReadingAKindNotDeclaredBeforeStart_ThrowsNamingTheFix()
    {
        using var transport = new FakeKubernetesTransport();
        transport.List("1");
        var registry = new InformerRegistry(Client(transport), new OperatorRuntimeOptions(), TimeProvider.System, NullLoggerFactory.Instance);
        var declared = registry.For<V1ConfigMap>();
        using var stop = new CancellationTokenSource();
        registry.StartAll(stop.Token);

        Assert.That(registry.For<V1ConfigMap>(), Is.SameAs(declared));
        var error = Assert.Throws<InvalidOperationException>(() => registry.For<V1Secret>());
        Assert.That(error!.Message, Does.Contain("secrets.core").And.Contain("AddCachedKind<V1Secret>"));
        Assert.That(registry.All, Has.Count.EqualTo(1), "nothing half-made was registered");

        await stop.CancelAsync();
        await registry.WhenStoppedAsync();
    }
}
