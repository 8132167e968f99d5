using GmsaOperator.Operator.Hosting;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Hosting;
using GmsaOperator.Runtime.Informers;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace GmsaOperator.Tests.Hosting;

/// <summary>What readiness waits for in the operator as built: the serving certificate's caches, none of the large ones.</summary>
public sealed class OperatorHostServedCachesTests
{
    [Test]
    public async Task OnlyTheCertificateCachesGateReadiness_TheWebhookCachesListAfterThem()
    {
        await using var app = OperatorHost.Build(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }, [], healthPort: 1, operatorNamespace: "ops");
        var sp = app.Services;
        sp.GetRequiredService<ControllerManager>().Prepare();
        var registry = sp.GetRequiredService<InformerRegistry>();

        var served = OperatorRuntimeService.DeclareServed(registry, sp.GetServices<CachedKind>(), sp.GetServices<ControllerDefinition>());

        Assert.Multiple(() =>
        {
            Assert.That(served.Select(i => i.Description), Is.EquivalentTo(new[]
            {
                "secrets.core in ops [metadata.name=gmsa-operator-webhook-ca]",
                "secrets.core in ops [metadata.name=gmsa-operator-webhook-tls]",
                "mutatingwebhookconfigurations.admissionregistration.k8s.io [metadata.name=gmsa-operator-webhook]",
                "validatingwebhookconfigurations.admissionregistration.k8s.io [metadata.name=gmsa-operator-webhook]",
            }));
            // The webhooks read these (bindings through the API server until their cache is in); they are cached, not served.
            Assert.That(registry.All.Select(i => i.Description), Is.SupersetOf(new[]
            {
                "gmsabindings.gmsa.dev", "gmsacredentialspecs.windows.k8s.io", "serviceaccounts.core",
            }));
        });
    }
}
