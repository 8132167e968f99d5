using System.Text;
using GmsaOperator.Operator.Certificates;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using GmsaOperator.IntegrationTests.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GmsaOperator.IntegrationTests.Certificates;

/// <summary>
/// The certificate controller against the real API server: Secrets in the test namespace, and test-owned webhook
/// configurations (url clientConfig to 127.0.0.1, a namespaceSelector matching nothing, failurePolicy Ignore).
/// </summary>
public class CertificateControllerTests : IntegrationTest
{
    private string _configName = "";

    [SetUp]
    public async Task CreateWebhookConfigurationsAsync()
    {
        _configName = $"gmsa-cert-{Guid.NewGuid():N}"[..24];
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["gmsa-test-never"] = _configName } };
        var rules = new List<V1RuleWithOperations> { new() { ApiGroups = [""], ApiVersions = ["v1"], Operations = ["CREATE"], Resources = ["configmaps"] } };
        Admissionregistrationv1WebhookClientConfig Url() => new() { Url = "https://127.0.0.1:9/never" };
        await Client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(new V1MutatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = _configName },
            Webhooks = [new V1MutatingWebhook { Name = "m.test.gmsa.dev", ClientConfig = Url(), Rules = rules, NamespaceSelector = selector, SideEffects = "None", AdmissionReviewVersions = ["v1"], FailurePolicy = "Ignore", TimeoutSeconds = 5 }],
        });
        await Client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(new V1ValidatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = _configName },
            Webhooks =
            [
                new V1ValidatingWebhook { Name = "v1.test.gmsa.dev", ClientConfig = Url(), Rules = rules, NamespaceSelector = selector, SideEffects = "None", AdmissionReviewVersions = ["v1"], FailurePolicy = "Ignore", TimeoutSeconds = 5 },
                new V1ValidatingWebhook { Name = "v2.test.gmsa.dev", ClientConfig = Url(), Rules = rules, NamespaceSelector = selector, SideEffects = "None", AdmissionReviewVersions = ["v1"], FailurePolicy = "Ignore", TimeoutSeconds = 5 },
            ],
        });
    }

    [TearDown]
    public async Task DeleteWebhookConfigurationsAsync()
    {
        if (_configName.Length == 0) return;
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(_configName));
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(_configName));
    }

    /// <summary>Test settings: this namespace, local mode, the test's configurations, a short non-leader jitter.</summary>
    private Action<CertificateSettings> Configure(Action<CertificateSettings>? configure = null) => s =>
    {
        s.Namespace = Namespace;
        s.ServiceName = "gmsa-webhook";
        s.LocalMode = true;
        s.MutatingWebhookConfigurationName = _configName;
        s.ValidatingWebhookConfigurationName = _configName;
        s.NonLeaderMaxJitter = TimeSpan.FromMilliseconds(500);
        configure?.Invoke(s);
    };

    private CertificateSettings Settings(Action<CertificateSettings>? configure = null)
    {
        var s = new CertificateSettings();
        Configure(configure)(s);
        return s;
    }

    private sealed class Running(IHost host) : IAsyncDisposable
    {
        public ServingCertificateStore Store => host.Services.GetRequiredService<ServingCertificateStore>();

        public CertificateSettings Settings => host.Services.GetRequiredService<CertificateSettings>();

        public int Reconciles => host.Services.GetRequiredService<CertificateState>().Reconciles;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }

    /// <summary>The certificate controller alone in an operator runtime of its own (a replica), without leader election.</summary>
    private async Task<Running> StartAsync(Action<CertificateSettings> configure, Func<bool>? isLeader = null)
    {
        var host = RuntimeHost.Build(Namespace, $"replica-{Guid.NewGuid():N}", o => o.LeaderElection.Enabled = false, services =>
        {
            services.AddLogging(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Information).AddFilter(_ => TestContext.Progress is not null));
            services.AddWebhookCertificates(configure: configure, isLeader: isLeader is null ? null : _ => isLeader);
        });
        await host.StartAsync(CancellationToken.None);
        return new Running(host);
    }

    private async Task<V1Secret?> SecretAsync(string name) =>
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CoreV1.ReadNamespacedSecretAsync(name, Namespace));

    private async Task<List<ObservedBundle>> LiveBundlesAsync()
    {
        var m = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(_configName);
        var v = await Client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(_configName);
        return [.. m.Webhooks.Select(w => ObservedBundle.Parse(w.ClientConfig.CaBundle)), .. v.Webhooks.Select(w => ObservedBundle.Parse(w.ClientConfig.CaBundle))];
    }

    /// <summary>Waits until the controller converged: Secrets exist, every caBundle equals ca.crt, the store is ready.</summary>
    private async Task<(V1Secret Ca, V1Secret Tls)> ConvergedAsync(Running r, TimeSpan timeout)
    {
        var result = await Eventually.HoldsAsync(async ct =>
        {
            var ca = await SecretAsync(r.Settings.CaSecretName);
            var tls = await SecretAsync(r.Settings.ServingSecretName);
            if (ca is null || tls is null || !r.Store.IsReady(out _)) return null;
            var published = TrustBundle.Parse(ca.Data["ca.crt"], DateTimeOffset.UtcNow);
            var bundles = await LiveBundlesAsync();
            if (!bundles.All(b => b.IsExactly(published))) return null;
            var leaf = Pem.ParseCertificates(tls.Data["tls.crt"], out _)[0];
            return r.Store.Current!.Fingerprint == leaf.Sha256() ? Tuple.Create(ca, tls) : null;
        }, timeout, "certificates to converge");
        return (result.Item1, result.Item2);
    }

    [Test]
    public async Task FreshStart_CreatesBothSecretsInjectsEveryCaBundleAndBecomesReady()
    {
        await using var r = await StartAsync(Configure());
        var (ca, tls) = await ConvergedAsync(r, TimeSpan.FromSeconds(30));
        Assert.Multiple(async () =>
        {
            Assert.That(ca.Type, Is.EqualTo("kubernetes.io/tls"));
            Assert.That(ca.Metadata.Labels["app.kubernetes.io/managed-by"], Is.EqualTo("gmsa-operator"));
            Assert.That(ca.Metadata.Annotations["gmsa-operator/ca-generation"], Is.EqualTo("1"));
            Assert.That(Encoding.ASCII.GetString(ca.Data["tls.key"]), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
            Assert.That(tls.Metadata.Annotations["gmsa-operator/issuer-sha256"], Is.EqualTo(Pem.ParseCertificates(ca.Data["tls.crt"], out _)[0].Sha256()));
            var m = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(_configName);
            // Only the caBundle is ours: the url and everything else stay owned by their creator.
            Assert.That(m.Webhooks[0].ClientConfig.Url, Is.EqualTo("https://127.0.0.1:9/never"));
            Assert.That(Encoding.ASCII.GetString(m.Webhooks[0].ClientConfig.CaBundle), Does.StartWith("-----BEGIN CERTIFICATE-----"), "raw PEM, base64-encoded once");
            Assert.That(m.Metadata.ManagedFields.Select(f => f.Manager), Does.Contain("gmsa-operator-cabundle"));
        });
    }

    [Test]
    public async Task StartedBeforeWinningTheLease_ActsAsSoonAsItLeads_NotAfterTheNonLeaderDelay()
    {
        var leader = false;
        var asked = 0;
        // A non-leader waits a random delay of up to an hour before acting on urgent work; winning the Lease ends that wait.
        await using var r = await StartAsync(Configure(s => s.NonLeaderMaxJitter = TimeSpan.FromHours(1)), () =>
        {
            Interlocked.Increment(ref asked);
            return Volatile.Read(ref leader);
        });
        await Eventually.HoldsAsync(_ => Task.FromResult(Volatile.Read(ref asked) > 0 ? (object?)true : null), TimeSpan.FromSeconds(10), "the controller to find it is not the leader");
        Volatile.Write(ref leader, true);
        await ConvergedAsync(r, TimeSpan.FromSeconds(20));
    }

    [Test]
    public async Task ExpiredCaAndLeafAtStartup_AreReplaced()
    {
        var s = Settings();
        var past = DateTimeOffset.UtcNow - TimeSpan.FromDays(400);
        var oldCa = CertificateIssuer.CreateCa(past, s);
        var oldLeaf = CertificateIssuer.IssueLeaf(oldCa, past, s);
        var material = new CaMaterial(oldCa, TrustBundle.From([oldCa], past), 7, past);
        await Client.CoreV1.CreateNamespacedSecretAsync(CertificateSecrets.BuildCa(material, null, s), Namespace);
        await Client.CoreV1.CreateNamespacedSecretAsync(CertificateSecrets.BuildServing(new LeafMaterial(oldLeaf, oldCa), null, s), Namespace);

        await using var r = await StartAsync(Configure());
        var (ca, tls) = await ConvergedAsync(r, TimeSpan.FromSeconds(30));
        var bundle = Pem.ParseCertificates(ca.Data["ca.crt"], out _);
        Assert.Multiple(() =>
        {
            Assert.That(ca.Metadata.Annotations["gmsa-operator/ca-generation"], Is.EqualTo("8"));
            Assert.That(bundle.Select(c => c.Sha256()), Does.Not.Contain(oldCa.Sha256()), "expired CA pruned");
            Assert.That(Pem.ParseCertificates(tls.Data["tls.crt"], out _)[0].Sha256(), Is.Not.EqualTo(oldLeaf.Sha256()));
        });
    }

    [Test]
    public async Task ExpiredLeafWithValidCa_LeafReplaced_CaAndCaBundlesUntouched()
    {
        var s = Settings();
        var now = DateTimeOffset.UtcNow;
        var ca = CertificateIssuer.CreateCa(now - TimeSpan.FromDays(40), s);
        var expiredLeaf = CertificateIssuer.IssueLeaf(ca, now - TimeSpan.FromDays(35), s);
        await Client.CoreV1.CreateNamespacedSecretAsync(CertificateSecrets.BuildCa(new CaMaterial(ca, TrustBundle.From([ca], now), 3, now - TimeSpan.FromDays(40)), null, s), Namespace);
        await Client.CoreV1.CreateNamespacedSecretAsync(CertificateSecrets.BuildServing(new LeafMaterial(expiredLeaf, ca), null, s), Namespace);
        var caRv = (await SecretAsync(s.CaSecretName))!.Metadata.ResourceVersion;

        await using var r = await StartAsync(Configure());
        var (caSecret, tls) = await ConvergedAsync(r, TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(caSecret.Metadata.ResourceVersion, Is.EqualTo(caRv), "CA Secret not rewritten");
            Assert.That(r.Store.Current!.IssuerFingerprint, Is.EqualTo(ca.Sha256()));
            Assert.That(r.Store.Current.Fingerprint, Is.Not.EqualTo(expiredLeaf.Sha256()));
        });
    }

    [Test]
    public async Task DeletedServingSecret_IsRestoredWithTheSameLeaf()
    {
        await using var r = await StartAsync(Configure());
        var (_, tls) = await ConvergedAsync(r, TimeSpan.FromSeconds(30));
        var served = r.Store.Current!.Fingerprint;
        await Client.CoreV1.DeleteNamespacedSecretAsync(r.Settings.ServingSecretName, Namespace);

        var restored = await Eventually.HoldsAsync(async ct => await SecretAsync(r.Settings.ServingSecretName) is { } s && s.Metadata.Uid != tls.Metadata.Uid ? s : null,
            TimeSpan.FromSeconds(5), "the serving Secret to be restored");
        Assert.That(Pem.ParseCertificates(restored.Data["tls.crt"], out _)[0].Sha256(), Is.EqualTo(served));
        Assert.That(r.Store.Current!.Fingerprint, Is.EqualTo(served), "serving never changed");
    }

    [Test]
    public async Task GarbageCaBundle_IsRepairedWithinFiveSeconds()
    {
        await using var r = await StartAsync(Configure());
        var (ca, _) = await ConvergedAsync(r, TimeSpan.FromSeconds(30));
        var published = TrustBundle.Parse(ca.Data["ca.crt"], DateTimeOffset.UtcNow);
        var garbage = Convert.ToBase64String("garbage"u8.ToArray());
        var patch = $$"""[{"op":"replace","path":"/webhooks/1/clientConfig/caBundle","value":"{{garbage}}"}]""";
        // The patch's own answer shows the garbage landed; a read after it could already see the repair.
        var tampered = await Client.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), _configName);
        Assert.That(tampered.Webhooks[1].ClientConfig.CaBundle, Is.EqualTo("garbage"u8.ToArray()), "tampered");

        await Eventually.HoldsAsync(async ct => (await LiveBundlesAsync()).All(b => b.IsExactly(published)) ? "" : null, TimeSpan.FromSeconds(5), "caBundle repair");
    }

    [Test]
    public async Task SecretWithoutOurLabel_IsNeverOverwritten()
    {
        var s = Settings();
        var foreign = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = s.ServingSecretName },
            Type = "kubernetes.io/tls",
            Data = new Dictionary<string, byte[]> { ["tls.crt"] = "not a certificate"u8.ToArray(), ["tls.key"] = "nope"u8.ToArray() },
        };
        var created = await Client.CoreV1.CreateNamespacedSecretAsync(foreign, Namespace);

        await using var r = await StartAsync(Configure());
        await Eventually.HoldsAsync(async ct => await SecretAsync(s.CaSecretName) is not null && r.Reconciles >= 2 ? "" : null, TimeSpan.FromSeconds(30), "reconciles");
        var after = await SecretAsync(s.ServingSecretName);
        Assert.Multiple(() =>
        {
            Assert.That(after!.Metadata.ResourceVersion, Is.EqualTo(created.Metadata.ResourceVersion));
            Assert.That(r.Store.Current, Is.Null);
            Assert.That(r.Store.IsReady(out _), Is.False);
        });
    }

    [Test]
    public async Task TwoReplicasStartingTogether_OneCaGenerationSameLeaf()
    {
        // Both think they lead (worst case): resourceVersion preconditions alone must keep them consistent.
        var a = StartAsync(Configure());
        var b = StartAsync(Configure());
        await using var ra = await a;
        await using var rb = await b;
        var (ca, tls) = await ConvergedAsync(ra, TimeSpan.FromSeconds(30));
        await ConvergedAsync(rb, TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(ca.Metadata.Annotations["gmsa-operator/ca-generation"], Is.EqualTo("1"));
            Assert.That(Pem.ParseCertificates(ca.Data["ca.crt"], out _), Has.Count.EqualTo(1), "exactly one CA");
            Assert.That(ra.Store.Current!.Fingerprint, Is.EqualTo(rb.Store.Current!.Fingerprint));
            Assert.That(ra.Store.Current.Fingerprint, Is.EqualTo(Pem.ParseCertificates(tls.Data["tls.crt"], out _)[0].Sha256()));
        });
    }

    [Test]
    [CancelAfter(150_000)]
    public async Task ShortLifetimes_CaRotationAndLeafRotations_ServedLeafAlwaysTrusted()
    {
        var configure = Configure(o =>
        {
            o.CaLifetime = TimeSpan.FromSeconds(90);
            o.LeafLifetime = TimeSpan.FromSeconds(40);
            o.BackDate = TimeSpan.FromSeconds(2);
            o.TrustGrace = TimeSpan.FromSeconds(5);
            o.UrgentWindow = TimeSpan.FromSeconds(5);
            o.ReadinessMinimumValidity = TimeSpan.FromSeconds(3);
            o.CheckInterval = TimeSpan.FromSeconds(1);
        });
        await using var r = await StartAsync(configure);
        await ConvergedAsync(r, TimeSpan.FromSeconds(30));
        var firstCa = r.Store.Current!.IssuerFingerprint;
        var served = new HashSet<string>();
        // The CAs served, in order, each listed once per stretch in which it was served.
        var issuers = new List<string> { firstCa };
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(100);
        while (DateTimeOffset.UtcNow < deadline && (issuers.Count < 2 || served.Count < 4))
        {
            var current = r.Store.Current!;
            Assert.That(current.NotAfter, Is.GreaterThan(DateTimeOffset.UtcNow), "expired leaf served");
            var bundles = await LiveBundlesAsync();
            Assert.That(bundles.All(b => b.Trusts(current.Issuer)), Is.True, "served leaf's CA missing from a live caBundle");
            Assert.That(bundles.All(b => b.Certificates.Count <= 2), Is.True);
            served.Add(current.Fingerprint);
            if (current.IssuerFingerprint != issuers[^1]) issuers.Add(current.IssuerFingerprint);
            await Task.Delay(200);
        }
        Assert.That(issuers, Has.Count.GreaterThanOrEqualTo(2), "a full CA rotation reached the serving side");
        Assert.That(issuers, Is.Unique, "a replaced CA was never served again");
        Assert.That(served, Has.Count.GreaterThanOrEqualTo(4), "at least two leaf rotations");
    }
}
