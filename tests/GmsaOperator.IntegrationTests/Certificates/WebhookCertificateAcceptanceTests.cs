using System.Net;
using GmsaOperator.IntegrationTests.Webhooks;
using GmsaOperator.Operator.Certificates;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Certificates;

/// <summary>
/// Issue 7 acceptance through the REAL operator host and REAL failurePolicy-Fail webhooks (url-registered in local
/// mode, scoped to this test's namespace by a label), with a prober creating a pod every ~200 ms.
/// </summary>
[NonParallelizable]
public sealed class WebhookCertificateAcceptanceTests : IntegrationTest
{
    private string _configName = "";

    [SetUp]
    public async Task PrepareNamespaceAsync()
    {
        _configName = $"gmsa-acc-{Namespace}";
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var patch = ClusterObjects.LabelsPatch(new Dictionary<string, string> { [OperatorInTest.SelectorLabelKey] = Namespace });
        await Client.CoreV1.PatchNamespaceAsync(patch, Namespace, cancellationToken: cts.Token);
        // Pods need the namespace's default ServiceAccount (created by the controller manager).
        await Eventually.HoldsAsync(async ct => await Client.CoreV1.ReadNamespacedServiceAccountAsync("default", Namespace, cancellationToken: ct), TimeSpan.FromSeconds(30), "the default ServiceAccount");
    }

    /// <summary>The operator in local mode, its webhooks (registered or not) and caBundle under a test-unique configuration, scoped to this test's namespace, with fast certificate timings.</summary>
    private OperatorInTest Build(bool register = true, Action<CertificateSettings>? configure = null) =>
        OperatorInTest.Build(new(Namespace)
        {
            RegisterWebhooks = register,
            ConfigurationName = _configName,
            SelectorLabel = $"{OperatorInTest.SelectorLabelKey}={Namespace}",
            Certificates = s =>
            {
                s.Namespace = Namespace;
                s.BackDate = TimeSpan.FromSeconds(2);
                s.NonLeaderMaxJitter = TimeSpan.FromMilliseconds(500);
                s.CheckInterval = TimeSpan.FromSeconds(1);
                configure?.Invoke(s);
            },
        });

    /// <summary>The webhooks are registered, trusted and actually called: a pod naming a missing credspec is denied by them.</summary>
    private async Task WebhooksEnforcingAsync(TimeSpan timeout) =>
        await Eventually.HoldsAsync(async ct =>
        {
            try
            {
                await Client.CoreV1.CreateNamespacedPodAsync(AdmissionProber.Pod("enforced", "cert-acceptance-missing"), Namespace, dryRun: "All", cancellationToken: ct);
                return null;
            }
            catch (HttpOperationException e) when (e.Response.Content.Contains("cred spec cert-acceptance-missing does not exist"))
            {
                return e;
            }
        }, timeout, "the failurePolicy-Fail webhooks to serve this namespace");

    private async Task<V1Secret?> SecretAsync(string name)
    {
        try
        {
            return await Client.CoreV1.ReadNamespacedSecretAsync(name, Namespace);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<List<ObservedBundle>> LiveBundlesAsync()
    {
        var m = await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(_configName);
        var v = await Client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(_configName);
        return [.. m.Webhooks.Select(w => ObservedBundle.Parse(w.ClientConfig.CaBundle)), .. v.Webhooks.Select(w => ObservedBundle.Parse(w.ClientConfig.CaBundle))];
    }

    private static async Task WaitForAdmissionsAsync(AdmissionProber prober, int more, string what)
    {
        var target = prober.Admitted + more;
        await Eventually.HoldsAsync(_ => Task.FromResult(prober.Admitted >= target ? "" : null), TimeSpan.FromSeconds(30), what);
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task FreshStart_BothSecretsAndCaBundlesAppear_PodsAdmitted_ReadyzOnlyAfterTheCertificate()
    {
        Assert.That(await SecretAsync("gmsa-operator-webhook-ca"), Is.Null);
        await using var op = Build();
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{op.HealthPort}"), Timeout = TimeSpan.FromSeconds(5) };
        using var stopPolling = new CancellationTokenSource();
        // Poll /readyz from before the start; on the first 200 the served certificate must already be backed by both Secrets.
        var firstReady = Task.Run(async () =>
        {
            while (!stopPolling.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync("/readyz", stopPolling.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        var served = op.Store.Current;
                        return (Served: served?.Fingerprint, Ca: await SecretAsync(op.Settings.CaSecretName), Tls: await SecretAsync(op.Settings.ServingSecretName));
                    }
                }
                catch (HttpRequestException)
                {
                    // Listener not up yet.
                }
                await Task.Delay(20, stopPolling.Token);
            }
            return default;
        });

        await op.StartAsync(CancellationToken.None);
        await WebhooksEnforcingAsync(TimeSpan.FromSeconds(30));
        var ready = await firstReady.WaitAsync(TimeSpan.FromSeconds(30));
        stopPolling.Cancel();

        Assert.That(ready.Ca, Is.Not.Null, "CA Secret exists when /readyz first passes");
        Assert.That(ready.Tls, Is.Not.Null, "serving Secret exists when /readyz first passes");
        Assert.That(ready.Served, Is.EqualTo(Pem.ParseCertificates(ready.Tls!.Data["tls.crt"], out _)[0].Sha256()), "ready means serving the Secret's leaf");
        var published = TrustBundle.Parse(ready.Ca!.Data["ca.crt"], DateTimeOffset.UtcNow);
        await Eventually.HoldsAsync(async _ => (await LiveBundlesAsync()).All(b => b.IsExactly(published)) ? "" : null, TimeSpan.FromSeconds(10), "every caBundle to equal ca.crt");

        var pod = await Client.CoreV1.CreateNamespacedPodAsync(AdmissionProber.Pod("admitted"), Namespace);
        Assert.That(pod.Metadata.Uid, Is.Not.Null.And.Not.Empty, "a plain pod is admitted through the Fail webhooks");
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task ServingSecretDeletedWhileRunning_IsRestored_ZeroFailedAdmissions()
    {
        await using var op = Build();
        await op.StartAsync(CancellationToken.None);
        await WebhooksEnforcingAsync(TimeSpan.FromSeconds(30));
        var before = (await SecretAsync(op.Settings.ServingSecretName))!;

        await using var prober = new AdmissionProber(Client, Namespace);
        prober.Start();
        await WaitForAdmissionsAsync(prober, 5, "admissions before the deletion");
        await Client.CoreV1.DeleteNamespacedSecretAsync(op.Settings.ServingSecretName, Namespace);
        var restored = await Eventually.HoldsAsync(async _ => await SecretAsync(op.Settings.ServingSecretName) is { } s && s.Metadata.Uid != before.Metadata.Uid ? s : null,
            TimeSpan.FromSeconds(10), "the serving Secret to be restored");
        await WaitForAdmissionsAsync(prober, 10, "admissions after the restore");
        await prober.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(prober.Failures, Is.Empty, "failed admissions");
            Assert.That(restored.Data["tls.crt"], Is.EqualTo(before.Data["tls.crt"]), "the same leaf is restored");
        });
    }

    [Test]
    [CancelAfter(170_000)]
    public async Task ShortLifetimes_FullCaRotationAndTwoLeafRotations_ZeroFailedAdmissions()
    {
        await using var op = Build(configure: s =>
        {
            s.CaLifetime = TimeSpan.FromSeconds(90);
            s.LeafLifetime = TimeSpan.FromSeconds(40);
            s.TrustGrace = TimeSpan.FromSeconds(5);
            s.UrgentWindow = TimeSpan.FromSeconds(5);
            s.ReadinessMinimumValidity = TimeSpan.FromSeconds(3);
        });
        await op.StartAsync(CancellationToken.None);
        await WebhooksEnforcingAsync(TimeSpan.FromSeconds(30));
        var firstCa = op.Store.Current!.IssuerFingerprint;

        await using var prober = new AdmissionProber(Client, Namespace);
        prober.Start();
        var presented = new HashSet<string>();
        // The CAs the serving side used, in order, each listed once per stretch in which it was served.
        var issuers = new List<string> { firstCa };
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(120);
        // Two leaf rotations plus the first leaf of the new CA: at least four leaves presented on the wire.
        while (DateTimeOffset.UtcNow < deadline && (issuers.Count < 2 || presented.Count < 4))
        {
            presented.Add(await op.HandshakeLeafAsync(CancellationToken.None));
            if (op.Store.Current!.IssuerFingerprint is var issuer && issuer != issuers[^1]) issuers.Add(issuer);
            await Task.Delay(200);
        }
        // Keep probing a little after the last swap.
        await WaitForAdmissionsAsync(prober, 10, "admissions after the last rotation");
        await prober.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(prober.Failures, Is.Empty, "failed admissions");
            Assert.That(issuers, Has.Count.GreaterThanOrEqualTo(2), "a full CA rotation reached the serving side");
            Assert.That(issuers, Is.Unique, "a replaced CA was never served again");
            Assert.That(presented, Has.Count.GreaterThanOrEqualTo(4), "at least two leaf rotations presented in TLS handshakes");
            Assert.That(prober.Admitted, Is.GreaterThan(100), "the prober ran throughout");
        });
        TestContext.Progress.WriteLine($"rotation acceptance: {prober.Admitted} admitted, {presented.Count} leaves, {issuers.Count} CAs");
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task TwoOperatorHostsStartingAtOnce_OneCaGeneration_BothServeTheSameLeaf()
    {
        await using var a = Build(register: true);
        await using var b = Build(register: false);
        await Task.WhenAll(a.StartAsync(CancellationToken.None), b.StartAsync(CancellationToken.None));
        await WebhooksEnforcingAsync(TimeSpan.FromSeconds(30));
        await Eventually.HoldsAsync(_ => Task.FromResult(b.Store.Current is not null ? "" : null), TimeSpan.FromSeconds(30), "the second host to serve");

        var ca = (await SecretAsync(a.Settings.CaSecretName))!;
        var tls = (await SecretAsync(a.Settings.ServingSecretName))!;
        var leaf = Pem.ParseCertificates(tls.Data["tls.crt"], out _)[0].Sha256();
        Assert.Multiple(async () =>
        {
            Assert.That(ca.Metadata.Annotations["gmsa-operator/ca-generation"], Is.EqualTo("1"));
            Assert.That(Pem.ParseCertificates(ca.Data["ca.crt"], out _), Has.Count.EqualTo(1), "exactly one CA");
            Assert.That(await a.HandshakeLeafAsync(CancellationToken.None), Is.EqualTo(leaf));
            Assert.That(await b.HandshakeLeafAsync(CancellationToken.None), Is.EqualTo(leaf));
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task CaBundleOverwrittenRepeatedly_RepairedWithWarningEvents_ThenTheCompetingManagerIsNamedAndRepairsBackOff()
    {
        await using var op = Build();
        await op.StartAsync(CancellationToken.None);
        await WebhooksEnforcingAsync(TimeSpan.FromSeconds(30));
        var garbage = $$$"""{"webhooks":[{"name":"{{{GmsaOperator.Webhooks.Registration.AdmissionWebhookConfigurations.PodWebhookName}}}","clientConfig":{"caBundle":"{{{Convert.ToBase64String("garbage"u8.ToArray())}}}"}}]}""";

        async Task<bool> RepairedAsync() =>
            (await Client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(_configName)).Webhooks.All(w => !w.ClientConfig.CaBundle.SequenceEqual("garbage"u8.ToArray()));

        // The first repair is a plain injection (the registrar wrote the initial caBundle); the next six are corrections
        // of our own bundle: the sixth crosses "more than 5 in 10 min".
        for (var i = 0; i < 7; i++)
        {
            await Client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(new V1Patch(garbage, V1Patch.PatchType.StrategicMergePatch), _configName, fieldManager: "tamperer");
            await Eventually.HoldsAsync(async _ => await RepairedAsync() ? "" : null, TimeSpan.FromSeconds(5), $"repair {i + 1} within 5 s");
        }

        var events = await Eventually.HoldsAsync(async ct =>
        {
            // Events about cluster-scoped objects live in default (kube-system before Kubernetes 1.21).
            var all = (await Client.EventsV1.ListNamespacedEventAsync("default", cancellationToken: ct)).Items
                .Concat((await Client.EventsV1.ListNamespacedEventAsync("kube-system", cancellationToken: ct)).Items);
            var ours = all.Where(e => e.Regarding?.Name == _configName && e.Regarding.Kind == "MutatingWebhookConfiguration").ToList();
            return ours.Any(e => e.Reason == "CaBundleRepaired") && ours.Any(e => e.Reason == "CaBundleConflict") ? ours : null;
        }, TimeSpan.FromSeconds(20), "CaBundleRepaired and CaBundleConflict Warning events");
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Type), Is.All.EqualTo("Warning"));
            Assert.That(events.Single(e => e.Reason == "CaBundleRepaired").Note, Does.Contain("field manager tamperer"));
            Assert.That(events.Single(e => e.Reason == "CaBundleConflict").Note, Does.Contain("field manager tamperer keeps overwriting it"));
        });

        // Backing off: the next overwrite stays for a while (30 s) instead of being repaired at watch speed.
        await Client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(new V1Patch(garbage, V1Patch.PatchType.StrategicMergePatch), _configName, fieldManager: "tamperer");
        var stayed = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTimeOffset.UtcNow < stayed)
        {
            Assert.That(await RepairedAsync(), Is.False, "repaired during the backoff");
            await Task.Delay(250);
        }
        await Eventually.HoldsAsync(async _ => await RepairedAsync() ? "" : null, TimeSpan.FromSeconds(40), "the repair after the backoff");
    }
}
