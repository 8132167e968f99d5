using System.Diagnostics;
using GmsaOperator.EndToEndTests.Environment;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Runtime.Metrics;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.EndToEndTests.Deployed;

/// <summary>
/// The operator the way users run it: the image from our Dockerfile, `kubectl apply -k` of config/default, two
/// replicas on a real node behind a Service, the README's journey through the Service-routed webhooks, the doctor,
/// a leader failover and a rolling update while pods are being created. The steps build on each other, in order.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OperatorDeploymentTests
{
    private const string Deployment = OperatorDeployment.ManagerDeploymentName;
    private const string Ns = OperatorDeployment.Namespace;
    private const string CredentialSpec = "gmsa-webapp1";

    // Go's json.Marshal of the sample credspec's contents (keys sorted, compact): what upstream's webhook writes.
    private const string ExpandedSample =
        """
        {"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"WebApp1","Scope":"CONTOSO"},{"Name":"WebApp1","Scope":"contoso.com"}]},"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"DnsName":"contoso.com","DnsTreeName":"contoso.com","Guid":"244818ae-87ac-4fcd-92ec-e79e5252348a","MachineAccountName":"WebApp1","NetBiosName":"CONTOSO","Sid":"S-1-5-21-2126449477-2524075714-3094792973"}}
        """;

    private static IKubernetes Client => E2ECluster.Client;
    private static TextWriter Progress => TestContext.Progress;

    [Test, Order(1)]
    public async Task ApplyKustomizeOverlay_TwoReplicasBecomeReady()
    {
        var sw = Stopwatch.StartNew();
        await E2ECluster.KubectlSucceedAsync("apply", "-k", E2ECluster.Overlay);
        await E2ECluster.KubectlSucceedAsync("-n", Ns, "rollout", "status", $"deploy/{Deployment}", "--timeout=180s");
        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync(Deployment, Ns);
        Assert.That(deployment.Status.ReadyReplicas, Is.EqualTo(2), "ready replicas");
        Assert.That(deployment.Spec.Template.Spec.Containers[0].Image, Is.EqualTo(E2ECluster.Image));
        var pdb = await E2ECluster.KubectlSucceedAsync("-n", Ns, "get", "pdb", "-o", "name");
        Assert.That(pdb.Trim(), Is.EqualTo($"poddisruptionbudget.policy/{Deployment}"));
        await Progress.WriteLineAsync($"deployed: 2/2 replicas Ready {sw.Elapsed.TotalSeconds:0.0}s after kubectl apply -k");
    }

    [Test, Order(2)]
    public async Task ReadmeJourney_ThroughServiceRoutedWebhooks()
    {
        // The README's walkthrough: samples, binding Ready, the documentation's Deployment expanded by the webhook.
        await Eventually.HoldsAsync(async _ =>
        {
            var applied = await E2ECluster.KubectlAsync("apply", "-k", Path.Combine(RepositoryRoot.Path, "config", "samples"));
            return applied.ExitCode == 0 ? applied : throw new InvalidOperationException(applied.ToString());
        }, TimeSpan.FromSeconds(60), "kubectl apply -k config/samples");
        await Eventually.HoldsAsync(async _ =>
        {
            var ready = await E2ECluster.KubectlAsync("get", "gmsab", "-A", "--no-headers");
            return ready.Stdout.Contains("webapp1-default", StringComparison.Ordinal) && ready.Stdout.Contains(" True ", StringComparison.Ordinal) ? ready : null;
        }, TimeSpan.FromSeconds(30), "kubectl get gmsab -A to show webapp1-default Ready");
        var expanded = await Eventually.HoldsAsync(async _ =>
        {
            var r = await E2ECluster.KubectlAsync("get", "pod", "-n", "default", "-l", "run=with-creds", "-o", "jsonpath={.items[0].spec.securityContext.windowsOptions.gmsaCredentialSpec}");
            return r.ExitCode == 0 && r.Stdout.Length > 0 ? r.Stdout : null;
        }, TimeSpan.FromSeconds(60), "the with-creds pod");
        Assert.That(expanded, Is.EqualTo(ExpandedSample), "the sample Deployment's pod, expanded by the webhook");

        // A Linux pod with a GMSA (the kubelet ignores windowsOptions on Linux) that really runs on the node.
        await using var ns = await TestNamespace.CreateAsync(Client, "journey");
        await ns.ServiceAccountAsync("webapp");
        await ns.ServiceAccountAsync("intruder");
        await ns.BindAsync(CredentialSpec, "webapp");
        await Client.CoreV1.CreateNamespacedPodAsync(LinuxGmsaPod("web", "webapp"), ns.Name);
        var running = await Eventually.HoldsAsync(async ct =>
        {
            var pod = await Client.CoreV1.ReadNamespacedPodAsync("web", ns.Name, cancellationToken: ct);
            return pod.Status?.Phase == "Running" ? pod : null;
        }, TimeSpan.FromSeconds(60), "the GMSA pod to run on the node");
        Assert.Multiple(() =>
        {
            Assert.That(running.Spec.NodeName, Is.EqualTo("localhost"));
            Assert.That(running.Status.PodIP, Does.StartWith("10.200.0."));
            Assert.That(running.Spec.SecurityContext.WindowsOptions.GmsaCredentialSpec, Is.EqualTo(ExpandedSample));
        });

        var refused = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodAsync(LinuxGmsaPod("stolen", "intruder"), ns.Name));
        Assert.That(refused!.Response.Content,
            Does.Contain("service account \\\"intruder\\\" is not authorized to `use` GMSA cred spec \\\"gmsa-webapp1\\\"").Or.Contain("service account \"intruder\" is not authorized to `use` GMSA cred spec \"gmsa-webapp1\""));
        await Progress.WriteLineAsync($"journey: pod {ns.Name}/web Running on node localhost at {running.Status.PodIP}, expanded byte-exact; intruder refused");
    }

    [Test, Order(3)]
    public async Task Doctor_PassesEverythingButTheWindowsNode()
    {
        var operatorBinary = Path.Combine(RepositoryRoot.Path, "src", "Operator", "bin", "Debug", "net10.0", "gmsa-operator");
        var result = await Shell.RunAsync(operatorBinary, ["doctor", "deployment/with-creds", "-n", "default"], TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["KUBECONFIG"] = E2ECluster.Plane.KubeconfigPath });
        await Progress.WriteLineAsync(result.Stdout);
        var failed = result.Stdout.Split('\n').Where(l => l.TrimStart().StartsWith('✗')).ToList();
        Assert.That(failed, Has.Count.EqualTo(1), result.ToString());
        Assert.That(failed[0], Does.Contain("Windows node"), result.ToString());
        Assert.That(result.Stdout, Does.Contain("✓"), result.ToString());
    }

    [Test, Order(4)]
    public async Task LeaderPodDeleted_OtherReplicaLeadsWithin15s_WebhooksKeepAnswering()
    {
        await using var ns = await LoadNamespaceAsync("failover");
        var leader = await LeaderPodAsync() ?? throw new AssertionException("nobody holds the leader Lease");
        var pods = await OperatorPodsAsync();
        var other = pods.Single(p => p != leader);
        await using var leaderLog = PodLogFollower.Start(leader, Ns, "manager");
        await using var timeline = LeaseTimeline.Start(Client, Ns, OperatorDeployment.LeaderLeaseName);
        var passed = false;
        try
        {
            await using var load = PodCreationLoad.Start(Client, ns.Name, "app", CredentialSpec, TimeSpan.FromMilliseconds(100));
            await Task.Delay(TimeSpan.FromSeconds(1));
            timeline.Mark($"deleting leader {leader}");
            var sw = Stopwatch.StartNew();
            await Client.CoreV1.DeleteNamespacedPodAsync(leader, Ns);
            await Eventually.HoldsAsync(async _ => await LeaderPodAsync() == other ? other : null, TimeSpan.FromSeconds(15),
                $"replica {other} to take the Lease after {leader} was deleted");
            var takeover = sw.Elapsed;
            await E2ECluster.KubectlSucceedAsync("-n", Ns, "rollout", "status", $"deploy/{Deployment}", "--timeout=180s");
            await Eventually.HoldsAsync(async _ => (await OperatorPodsAsync()).Contains(leader) ? null : "gone", TimeSpan.FromSeconds(60), $"{leader} to be gone");
            var outcome = await load.StopAsync();
            await Progress.WriteLineAsync($"leader failover: {other} leads {takeover.TotalSeconds:0.0}s after {leader} was deleted; {outcome}");
            Assert.That(outcome.Failed, Is.Zero, outcome.ToString());
            // A connection the API server still held when the pod went away would black-hole its next review.
            var leaderText = await leaderLog.WaitForEndAsync(TimeSpan.FromSeconds(40));
            Assert.That(leaderText, Does.Contain("no caller holds a connection").Or.Contain("callers closed every connection"),
                "the deleted leader exited only after the API server had closed its connections");
            passed = true;
        }
        finally
        {
            await SaveFailoverRecordAsync(timeline, leaderLog, other, printTimeline: !passed);
        }
    }

    /// <summary>
    /// What explains a slow or misdirected failover: the Lease's holders over time, the deleted leader's whole log
    /// (it is gone with the pod otherwise), and the other replicas' logs and start times.
    /// </summary>
    private static async Task SaveFailoverRecordAsync(LeaseTimeline timeline, PodLogFollower leaderLog, string other, bool printTimeline)
    {
        var record = new System.Text.StringBuilder();
        record.AppendLine("Lease timeline:").AppendLine(timeline.ToString());
        foreach (var pod in (await Client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "control-plane=controller-manager")).Items)
        {
            var started = pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running?.StartedAt;
            record.AppendLine($"pod {pod.Name()}: created {pod.Metadata.CreationTimestamp:HH:mm:ss.fff}, manager started {started:HH:mm:ss.fff}");
        }
        string leaderText;
        try
        {
            leaderText = await leaderLog.WaitForEndAsync(TimeSpan.FromSeconds(40));
        }
        catch (OperationCanceledException)
        {
            leaderText = "(the deleted leader's log did not end within 40 s)";
        }
        record.AppendLine($"--- deleted leader {leaderLog.Pod}:").AppendLine(leaderText);
        foreach (var pod in await OperatorPodsAsync())
        {
            var log = await E2ECluster.KubectlAsync("-n", Ns, "logs", pod, "-c", "manager");
            record.AppendLine($"--- {(pod == other ? "other replica" : "replica")} {pod}:").AppendLine(log.Stdout + log.Stderr);
        }
        var target = E2ECluster.DiagnosticsDirectory;
        await File.WriteAllTextAsync(Path.Combine(target, "leader-failover.txt"), record.ToString());
        if (printTimeline) await Progress.WriteLineAsync($"leader failover record (also in {target}/leader-failover.txt):{System.Environment.NewLine}{record}");
        else await Progress.WriteLineAsync($"Lease timeline:{System.Environment.NewLine}{timeline}");
    }

    [Test, Order(5)]
    public async Task RollingRestart_WhilePodsAreCreated_NoAdmissionFails()
    {
        await using var ns = await LoadNamespaceAsync("rollout");
        var before = await OperatorPodsAsync();
        var logs = before.Select(pod => PodLogFollower.Start(pod, Ns, "manager")).ToList();
        try
        {
            await using var load = PodCreationLoad.Start(Client, ns.Name, "app", CredentialSpec, TimeSpan.FromMilliseconds(100));
            await Task.Delay(TimeSpan.FromSeconds(2));
            await E2ECluster.KubectlSucceedAsync("-n", Ns, "rollout", "restart", $"deploy/{Deployment}");
            await E2ECluster.KubectlSucceedAsync("-n", Ns, "rollout", "status", $"deploy/{Deployment}", "--timeout=300s");
            // The old pods' shutdown is the risky part: keep creating until they have exited.
            await Eventually.HoldsAsync(async _ => (await OperatorPodsAsync()).Intersect(before).Any() ? null : "gone", TimeSpan.FromSeconds(90), "the old replicas to exit");
            await Task.Delay(TimeSpan.FromSeconds(2));
            var outcome = await load.StopAsync();
            await Progress.WriteLineAsync($"rolling update: {outcome}");
            Assert.That(outcome.Total, Is.GreaterThanOrEqualTo(100), "pod creations during the rollout");
            Assert.That(outcome.Failed, Is.Zero, outcome.ToString());

            // How each old replica stopped: readiness first, serving until its pod left the Endpoints, then exit.
            foreach (var log in logs)
            {
                var text = await log.WaitForEndAsync(TimeSpan.FromSeconds(30));
                var shutdown = text.Split('\n').Where(l => l.Contains("Shutdown:", StringComparison.Ordinal)).ToList();
                await Progress.WriteLineAsync($"{log.Pod}:{System.Environment.NewLine}  {string.Join(System.Environment.NewLine + "  ", shutdown)}");
                Assert.That(shutdown, Has.Some.Contains("readiness dropped"), $"{log.Pod} log:\n{text}");
                Assert.That(shutdown, Has.Some.Contains("removed from Endpoints"), $"{log.Pod} log:\n{text}");
                Assert.That(shutdown, Has.None.Contains("drain timeout"), $"{log.Pod} log:\n{text}");
                Assert.That(shutdown, Has.Some.Contains("server stopped"), $"{log.Pod} log:\n{text}");
                // The API server closed every connection the stopped server had closed before the pod went away.
                Assert.That(shutdown, Has.Some.Contains("no caller holds a connection").Or.Some.Contains("callers closed every connection"), $"{log.Pod} log:\n{text}");
            }
        }
        finally
        {
            foreach (var log in logs) await log.DisposeAsync();
        }
    }

    [Test, Order(6)]
    public async Task RunningContainer_IsNonRootWithReadOnlyRoot_MemoryAndImageSizeReported()
    {
        var size = await ImageSizeAsync();
        foreach (var pod in (await Client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "control-plane=controller-manager")).Items)
        {
            var status = pod.Status.ContainerStatuses.Single(c => c.Name == "manager");
            var facts = await ContainerInspector.InspectAsync(status.ContainerID);
            Assert.Multiple(() =>
            {
                Assert.That(facts.Uid, Is.Not.Zero, $"{pod.Name()}: the manager process runs as uid {facts.Uid}");
                Assert.That(facts.ReadOnlyRoot, Is.True, $"{pod.Name()}: the root filesystem is mounted read-only");
            });
            var workingSet = await Eventually.HoldsAsync(async _ => await ContainerInspector.WorkingSetBytesAsync(pod.Name(), Ns, "manager") is { } b ? (object)b : null,
                TimeSpan.FromSeconds(60), $"kubelet stats for {pod.Name()}");
            await Progress.WriteLineAsync(
                $"footprint: image {E2ECluster.Image} {size / 1e6:0.0} MB (compressed layers); pod {pod.Name()} manager uid {facts.Uid}, read-only root, memory {(long)workingSet / 1048576.0:0.0} MiB working set (kubelet stats)");
        }
    }

    [Test, Order(7)]
    public async Task Metrics_ThroughTheService_OnlyForATokenAllowedToGetThem()
    {
        await using var ns = await TestNamespace.CreateAsync(Client, "metrics");
        foreach (var account in new[] { "scraper", "stranger" })
        {
            await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = account } }, ns.Name);
        }
        var binding = $"{ns.Name}-scraper";
        await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = binding },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = OperatorDeployment.MetricsReaderRoleName },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "scraper", NamespaceProperty = ns.Name }],
        });
        try
        {
            var service = await Client.CoreV1.ReadNamespacedServiceAsync(OperatorDeployment.MetricsServiceName, Ns);
            var url = $"https://{service.Spec.ClusterIP}:{OperatorDeployment.MetricsPort}/metrics";
            using var http = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
            {
                Timeout = TimeSpan.FromSeconds(10),
            };

            Assert.That(await StatusAsync(http, url, token: null), Is.EqualTo(401), "no token");
            Assert.That(await StatusAsync(http, url, await TokenAsync(ns.Name, "stranger")), Is.EqualTo(403), "a token not allowed to get /metrics");
            var scraper = await TokenAsync(ns.Name, "scraper");
            // RBAC changes reach the authorizer's cache within a moment.
            var body = await Eventually.HoldsAsync(async ct =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new("Bearer", scraper);
                using var response = await http.SendAsync(request, ct);
                return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(ct) : null;
            }, TimeSpan.FromSeconds(30), "200 for a token bound to the metrics-reader ClusterRole");
            Assert.That(body, Does.Contain("controller_runtime_"), "the operator's Prometheus text");
            // The image's executable carries its GC settings; NativeAOT ignores a misspelt one without a word.
            Assert.That(Sample(body!, DotNetRuntimeMetrics.GcGen0MaxBudget), Is.EqualTo(16.0 * 1024 * 1024),
                "the gen0 budget baked into the executable (GCgen0size, GCGen0MaxBudget) is the one in force");
            await Progress.WriteLineAsync($"metrics: {url} → 401 without a token, 403 for an unbound one, 200 for {OperatorDeployment.MetricsReaderRoleName}");
        }
        finally
        {
            await Client.RbacAuthorizationV1.DeleteClusterRoleBindingAsync(binding);
        }
    }

    private static double? Sample(string prometheusText, string series) =>
        prometheusText.Split('\n').Where(line => line.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(line => (double?)double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();

    private static async Task<int> StatusAsync(HttpClient http, string url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static async Task<string> TokenAsync(string @namespace, string account) =>
        (await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec { ExpirationSeconds = 600 },
        }, account, @namespace)).Status.Token;

    private static V1Pod LinuxGmsaPod(string name, string serviceAccount) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            ServiceAccountName = serviceAccount,
            AutomountServiceAccountToken = false,
            TerminationGracePeriodSeconds = 1,
            SecurityContext = new V1PodSecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = CredentialSpec } },
            Containers = [new V1Container { Name = "app", Image = E2ECluster.PauseImage, ImagePullPolicy = "IfNotPresent" }],
        },
    };

    private static async Task<TestNamespace> LoadNamespaceAsync(string prefix)
    {
        var ns = await TestNamespace.CreateAsync(Client, prefix);
        await ns.ServiceAccountAsync("app");
        try
        {
            await ns.BindAsync(CredentialSpec, "app");
        }
        catch (HttpOperationException e) when (e.Response.Content.Contains("failed calling webhook", StringComparison.Ordinal))
        {
            var snapshot = await WebhookPathSnapshot.SaveAsync($"GmsaBinding create in {ns.Name} failed: {e.Response.Content}");
            throw new AssertionException($"creating a GmsaBinding failed in the webhook (path to the webhook saved in {snapshot}): {e.Response.Content}", e);
        }
        return ns;
    }

    private static async Task<string?> LeaderPodAsync()
    {
        var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(OperatorDeployment.LeaderLeaseName, Ns);
        var holder = lease.Spec.HolderIdentity;
        return string.IsNullOrEmpty(holder) ? null : holder[..holder.LastIndexOf('_')];
    }

    private static async Task<List<string>> OperatorPodsAsync() =>
        (await Client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "control-plane=controller-manager")).Items.Select(p => p.Name()).ToList();

    /// <summary>Sum of the image's compressed layers, from the registry's manifest (what a node downloads).</summary>
    private static async Task<long> ImageSizeAsync()
    {
        var (repository, tag) = (E2ECluster.Image[..E2ECluster.Image.LastIndexOf(':')], E2ECluster.Image[(E2ECluster.Image.LastIndexOf(':') + 1)..]);
        var slash = repository.IndexOf('/');
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{repository[..slash]}/v2/{repository[(slash + 1)..]}/manifests/{tag}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
    }
}
