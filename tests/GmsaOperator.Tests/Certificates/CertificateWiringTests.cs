using System.Text;
using System.Text.Json;
using GmsaOperator.Operator.Certificates;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Hosting;
using GmsaOperator.Runtime.Informers;
using Moq;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

public class CertificateWiringTests
{
    [Test]
    public void ApplyBody_HoldsOnlyNamesAndRawPemCaBundleEncodedOnce()
    {
        var ca = Ca(Start, Settings());
        var pem = ca.Bundle.ToPemBytes();
        var json = KubernetesJson.Serialize(CaBundleInjector.BuildApplyBody(WebhookConfigurationKind.Validating, "cfg", ["a", "b"], pem));
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "apiVersion", "kind", "metadata", "webhooks" }));
            Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo("ValidatingWebhookConfiguration"));
            var hooks = root.GetProperty("webhooks").EnumerateArray().ToList();
            Assert.That(hooks.Select(h => h.GetProperty("name").GetString()), Is.EqualTo(new[] { "a", "b" }));
            foreach (var h in hooks)
            {
                Assert.That(h.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "name", "clientConfig" }));
                var cc = h.GetProperty("clientConfig");
                Assert.That(cc.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "caBundle" }));
                Assert.That(Encoding.ASCII.GetString(Convert.FromBase64String(cc.GetProperty("caBundle").GetString()!)), Does.StartWith("-----BEGIN CERTIFICATE-----"));
            }
        });
    }

    [Test]
    public async Task AddWebhookCertificates_ResolvesSourceControllerAndReadiness()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new Mock<IKubernetes>().Object);
        services.AddOperatorRuntime();
        services.AddWebhookCertificates(configure: s => s.Namespace = "ns", isLeader: _ => () => false);
        await using var sp = services.BuildServiceProvider();
        var source = sp.GetRequiredService<GmsaOperator.Webhooks.Certificates.IServingCertificateProvider>();
        Assert.That(source, Is.SameAs(sp.GetRequiredService<ServingCertificateStore>()));
        var controller = sp.GetServices<ControllerDefinition>().Single(d => d.Name == CertificateReconciler.ControllerName);
        Assert.Multiple(() =>
        {
            Assert.That(controller.ReconcilerType, Is.EqualTo(typeof(CertificateReconciler)));
            Assert.That(controller.RequiresLeadership, Is.False, "the certificates are served on every replica");
            Assert.That(controller.ListsFirst, Is.True, "readiness waits for the serving certificate, so its caches list first");
            Assert.That(sp.GetRequiredService<CertificateLeadership>().IsLeader(), Is.False);
        });
        await using (var scope = sp.CreateAsyncScope()) Assert.That(scope.ServiceProvider.GetRequiredService<CertificateReconciler>(), Is.Not.Null);

        // Each object is watched by name: the RBAC rules name them (resourceNames), so list/watch needs the field selector.
        sp.GetRequiredService<ControllerManager>().Prepare();
        Assert.That(sp.GetRequiredService<InformerRegistry>().All.Select(i => i.Description), Is.EquivalentTo(new[]
        {
            "secrets.core in ns [metadata.name=gmsa-operator-webhook-ca]",
            "secrets.core in ns [metadata.name=gmsa-operator-webhook-tls]",
            "mutatingwebhookconfigurations.admissionregistration.k8s.io [metadata.name=gmsa-operator-webhook]",
            "validatingwebhookconfigurations.admissionregistration.k8s.io [metadata.name=gmsa-operator-webhook]",
        }));
        var served = OperatorRuntimeService.DeclareServed(sp.GetRequiredService<InformerRegistry>(), sp.GetServices<CachedKind>(), sp.GetServices<ControllerDefinition>());
        Assert.That(served.Select(i => i.Description), Is.EquivalentTo(sp.GetRequiredService<InformerRegistry>().All.Select(i => i.Description)), "every certificate cache gates readiness");
        var health = await sp.GetRequiredService<ServingCertificateHealthCheck>().CheckHealthAsync(new HealthCheckContext());
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(sp.GetRequiredService<CertificateSettings>().Namespace, Is.EqualTo("ns"));
    }

    [Test]
    public void InvalidSettings_AreRejectedPrecisely()
    {
        var s = Settings(o => o.CaLifetime = TimeSpan.FromDays(40));
        var e = Assert.Throws<ArgumentException>(() => s.Validate());
        Assert.That(e!.Message, Does.Contain("CaLifetime"));
    }
}
