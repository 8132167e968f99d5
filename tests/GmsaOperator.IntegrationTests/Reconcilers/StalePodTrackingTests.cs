using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Reconcilers.StalePods;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Reconcilers;

/// <summary>
/// Credential-spec contents changes reaching pods, through the whole operator (webhooks registered, controllers
/// running). kube-controller-manager makes the Deployments' pods; without a node they stay Pending, which is enough:
/// what matters is what they were admitted with.
/// </summary>
[NonParallelizable]
public sealed class StalePodTrackingTests : IntegrationTest
{
    private const string OperatorNamespace = "gmsa-it-stale";
    private const string SelectorKey = OperatorInTest.SelectorLabelKey;
    private const string SelectorValue = "stale-pods";
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(10);
    private static readonly PodRequests Recorded = new();
    private static readonly string ConfigurationName = $"gmsa-it-stale-{Guid.NewGuid():N}"[..24];
    private OperatorInTest _operator = null!;
    private string _credSpec = "";

    [OneTimeSetUp]
    public async Task StartOperatorAsync() => _operator = await OperatorInTest.StartAsync(new(OperatorNamespace)
    {
        RegisterWebhooks = true,
        ConfigurationName = ConfigurationName,
        SelectorLabel = $"{SelectorKey}={SelectorValue}",
        ApiHandlers = [Recorded],
    });

    [OneTimeTearDown]
    public async Task StopOperatorAsync() => await _operator.DisposeAsync();

    [SetUp]
    public async Task PrepareAsync()
    {
        _credSpec = $"{Namespace}-webapp1";
        await Client.CoreV1.PatchNamespaceAsync(ClusterObjects.LabelsPatch(new Dictionary<string, string> { [SelectorKey] = SelectorValue }), Namespace);
        await Client.CustomObjects.CreateClusterCustomObjectAsync(CredSpec("244818ae-87ac-4fcd-92ec-e79e5252348a"), "windows.k8s.io", "v1", "gmsacredentialspecs");
    }

    [TearDown]
    public async Task DeleteCredSpecAsync() =>
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CustomObjects.DeleteClusterCustomObjectAsync("windows.k8s.io", "v1", "gmsacredentialspecs", _credSpec));

    [Test]
    public async Task ChangedContents_CountAndNameStalePods_WarnOnTheDeployment_AndNewPodsAreCurrent()
    {
        await CreateBindingAsync(trackPods: true, rollout: false);
        await CreateDeploymentAsync("web");
        await CreatePodAsync("bare");
        var before = await WaitForBindingAsync(b => b.Status?.StalePods == 0 && PodsCurrent(b)?.Status == "True", "every pod current");
        var webPod = (await PodsAsync("app=web")).Single();
        Assert.That(webPod.Metadata.Labels[PodTracking.TrackedLabel], Is.EqualTo("true"));
        Assert.That(webPod.Metadata.Annotations[PodTracking.HashesAnnotation], Does.StartWith($$"""{"{{_credSpec}}":"sha256:"""));

        await ChangeContentsAsync();
        var stale = await WaitForBindingAsync(b => b.Status?.StalePods == 2, "both pods counted stale", Converge);
        var message = PodsCurrent(stale)!.Message;
        Assert.That(PodsCurrent(stale)!.Status, Is.EqualTo("False"));
        Assert.That(message, Does.Contain($"{webPod.Name()} (Deployment web)").And.Contain("bare (bare pod)"));
        await Eventually.HoldsAsync(async ct =>
        {
            var events = await Client.EventsV1.ListNamespacedEventAsync(Namespace, cancellationToken: ct);
            return events.Items.FirstOrDefault(e => e.Reason == "StaleGmsaContents" && e.Regarding.Kind == "Deployment" && e.Regarding.Name == "web");
        }, Converge, "a Warning event on the Deployment");

        await CreatePodAsync("fresh");
        var fresh = await Client.CoreV1.ReadNamespacedPodAsync("fresh", Namespace);
        Assert.That(fresh.Metadata.Annotations[PodTracking.HashesAnnotation], Is.Not.EqualTo(webPod.Metadata.Annotations[PodTracking.HashesAnnotation]));
        await Eventually.HoldsAsync(async ct => (await PodsAsync(null, ct)).Count == 3 ? "seen" : null, Converge, "the new pod");
        var after = await WaitForBindingAsync(b => b.Status?.StalePods == 2, "still two stale: the new pod is current", Converge);
        Assert.That(PodsCurrent(after)!.Message, Does.Not.Contain("fresh"));
        Assert.That((await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Namespace)).Metadata.Generation, Is.EqualTo(1), "no rollout without rolloutOnChange");
        Assert.That(before.Status!.StalePods, Is.Zero);
    }

    [Test]
    public async Task RolloutOnChange_RestartsTheDeploymentOnce_NewPodsAreCurrent_BarePodIsOnlyReported()
    {
        await CreateBindingAsync(trackPods: null, rollout: true);
        await CreateDeploymentAsync("web");
        await CreatePodAsync("bare");
        await WaitForBindingAsync(b => b.Status?.StalePods == 0, "every pod current");

        await ChangeContentsAsync();
        var done = await WaitForBindingAsync(b => b.Status?.StalePods == 1, "only the bare pod stale once the Deployment rolled", TimeSpan.FromSeconds(60));
        Assert.That(PodsCurrent(done)!.Message, Does.Contain("bare (bare pod)"));

        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Namespace);
        Assert.That(deployment.Spec.Template.Metadata.Annotations, Does.ContainKey(PodTracking.RestartedAtAnnotation));
        Assert.That(deployment.Spec.Template.Metadata.Annotations[PodTracking.RestartedForHashAnnotation], Does.StartWith("sha256:"));
        var pods = await Eventually.HoldsAsync(async ct => await PodsAsync("app=web", ct) is [var only] ? only : null, Converge, "the new pod only");
        Assert.That(pods.Spec.SecurityContext.WindowsOptions.GmsaCredentialSpec, Does.Contain("11111111-87ac-4fcd-92ec-e79e5252348a"), "the new pod carries the new contents");
        Assert.That((await Client.CoreV1.ReadNamespacedPodAsync("bare", Namespace)).Metadata.DeletionTimestamp, Is.Null, "a bare pod is never deleted");

        // Restarted exactly once: one more reconcile (the bare pod going) does not restart it again.
        await Client.CoreV1.DeleteNamespacedPodAsync("bare", Namespace, gracePeriodSeconds: 0);
        await WaitForBindingAsync(b => b.Status?.StalePods == 0, "no stale pod left", Converge);
        Assert.That((await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Namespace)).Metadata.Generation, Is.EqualTo(2), "the template changed once");
        var events = await Client.EventsV1.ListNamespacedEventAsync(Namespace);
        Assert.That(events.Items.Count(e => e.Reason == "RolloutRestarted" && e.Regarding.Kind == "Deployment"), Is.EqualTo(1));
        Assert.That(events.Items.Any(e => e.Reason == "NotRestartable" && e.Note.Contains("Pod bare")), Is.True);
    }

    [Test]
    public async Task BindingsThatDoNotTrack_LeavePodsUnlabelled_AndStatusWithoutPodFields()
    {
        await CreateBindingAsync(trackPods: null, rollout: null);
        await CreatePodAsync("plain");
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("plain", Namespace);
        Assert.That(pod.Spec.SecurityContext.WindowsOptions.GmsaCredentialSpec, Does.Contain("244818ae"));
        Assert.That(pod.Metadata.Labels, Is.Null.Or.Not.ContainKey(PodTracking.TrackedLabel));
        Assert.That(pod.Metadata.Annotations, Is.Null.Or.Not.ContainKey(PodTracking.HashesAnnotation));
        var binding = await WaitForBindingAsync(b => b.Status?.Conditions.FindReady() is not null, "Ready");
        Assert.That((binding.Status!.StalePods, PodsCurrent(binding)), Is.EqualTo(((int?)null, (V1Condition?)null)));
    }

    [Test]
    public async Task ThePodInformer_ListsAndWatchesOnlyTrackedPods()
    {
        await Eventually.TrueAsync(() => Recorded.Requests.Any(u => u.Query.Contains("watch=true")), "the pod informer to list and watch", Converge);
        var requests = Recorded.Requests.ToList();
        Assert.That(requests.Where(u => !u.Query.Contains("watch=true")), Is.Not.Empty, "the pod informer lists");
        Assert.That(requests.Select(u => Uri.UnescapeDataString(u.Query)), Has.All.Contain($"labelSelector={PodTracking.Selector}"),
            "every pod list and watch the operator sends selects tracked pods only");
    }

    private static V1Condition? PodsCurrent(GmsaBinding b) => b.Status?.Conditions?.FirstOrDefault(c => c.Type == StalePodPlanner.PodsCurrentType);

    private Dictionary<string, object> CredSpec(string guid) => new()
    {
        ["apiVersion"] = "windows.k8s.io/v1",
        ["kind"] = "GMSACredentialSpec",
        ["metadata"] = new Dictionary<string, object> { ["name"] = _credSpec },
        ["credspec"] = new Dictionary<string, object>
        {
            ["CmsPlugins"] = new[] { "ActiveDirectory" },
            ["DomainJoinConfig"] = new Dictionary<string, object> { ["DnsName"] = "contoso.com", ["Guid"] = guid, ["MachineAccountName"] = "WebApp1" },
        },
    };

    private async Task ChangeContentsAsync() => await Client.CustomObjects.PatchClusterCustomObjectAsync(
        // A string: the client's serializer would camel-case an anonymous object's PascalCase credspec keys.
        new V1Patch("""{"credspec":{"DomainJoinConfig":{"Guid":"11111111-87ac-4fcd-92ec-e79e5252348a"}}}""", V1Patch.PatchType.MergePatch),
        "windows.k8s.io", "v1", "gmsacredentialspecs", _credSpec);

    private async Task CreateBindingAsync(bool? trackPods, bool? rollout)
    {
        var binding = new GmsaBinding
        {
            Metadata = new V1ObjectMeta { Name = "webapp", NamespaceProperty = Namespace },
            Spec = new GmsaBindingSpec { CredentialSpecName = _credSpec, ServiceAccounts = ["default"], TrackPods = trackPods, RolloutOnChange = rollout },
        };
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(binding, GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural);
        await WaitForBindingAsync(b => b.Status?.Conditions.FindReady()?.Status == "True", "Ready");
        // The webhooks read the binding from the operator's cache: a probe pod shows when tracking is in effect.
        await Eventually.HoldsAsync(async ct =>
        {
            try
            {
                var probe = await Client.CoreV1.CreateNamespacedPodAsync(Pod("probe"), Namespace, dryRun: "All", cancellationToken: ct);
                var tracked = probe.Metadata.Labels?.ContainsKey(PodTracking.TrackedLabel) == true;
                return tracked == (trackPods == true || rollout == true) ? "ready" : null;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.InternalServerError)
            {
                return null; // RBAC or the webhook registration not in effect yet
            }
        }, TimeSpan.FromSeconds(60), "the webhooks to admit pods of the binding");
    }

    private async Task<GmsaBinding> WaitForBindingAsync(Func<GmsaBinding, bool> condition, string what, TimeSpan? timeout = null) =>
        await Eventually.HoldsAsync(async ct =>
        {
            var json = (JsonElement)await Client.CustomObjects.GetNamespacedCustomObjectAsync(GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, "webapp", ct);
            var binding = KubernetesJson.Deserialize<GmsaBinding>(json.GetRawText());
            return condition(binding) ? binding : null;
        }, timeout ?? TimeSpan.FromSeconds(30), what);

    private async Task<IReadOnlyList<V1Pod>> PodsAsync(string? selector, CancellationToken ct = default) =>
        [.. (await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: selector, cancellationToken: ct)).Items.Where(p => p.Metadata.DeletionTimestamp is null)];

    private V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = PodSpec(),
    };

    private V1PodSpec PodSpec() => new()
    {
        SecurityContext = new V1PodSecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = _credSpec } },
        Containers = [new V1Container { Name = "iis", Image = "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019" }],
        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" },
    };

    private async Task CreatePodAsync(string name) => await Client.CoreV1.CreateNamespacedPodAsync(Pod(name), Namespace);

    /// <summary>
    /// Recreate: there is no node, so new pods never become Ready; a RollingUpdate would wait on them forever, Recreate
    /// deletes the old pods (unscheduled pods go at once) and then creates the new ReplicaSet's pods.
    /// </summary>
    private async Task CreateDeploymentAsync(string name)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Strategy = new V1DeploymentStrategy { Type = "Recreate" },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = PodSpec() },
            },
        }, Namespace);
        await Eventually.HoldsAsync(async ct => await PodsAsync($"app={name}", ct) is [var pod] && pod.Metadata.Labels.ContainsKey(PodTracking.TrackedLabel) ? pod : null,
            TimeSpan.FromSeconds(30), "the Deployment's pod, tracked");
    }

    /// <summary>Records the URIs of the operator's pod list and watch requests (collection paths only).</summary>
    private sealed class PodRequests : DelegatingHandler
    {
        public ConcurrentQueue<Uri> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri is { } uri && uri.AbsolutePath.EndsWith("/pods", StringComparison.Ordinal)) Requests.Enqueue(uri);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

internal static class ConditionLookup
{
    public static V1Condition? FindReady(this IList<V1Condition>? conditions) => conditions?.FirstOrDefault(c => c.Type == "Ready");
}
