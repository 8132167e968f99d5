using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>GMSA pod admission through the real API server with the webhooks registered and served in-process.</summary>
[NonParallelizable]
public sealed class PodAdmissionTests : WebhookHostTest
{
    // The documentation's credspec (Kubernetes "Configure GMSA for Windows Pods and containers"), keys in its order.
    private static readonly Dictionary<string, object> DocCredSpec = new()
    {
        ["ActiveDirectoryConfig"] = new Dictionary<string, object>
        {
            ["GroupManagedServiceAccounts"] = new object[]
            {
                new Dictionary<string, object> { ["Name"] = "WebApp1", ["Scope"] = "CONTOSO" },
                new Dictionary<string, object> { ["Name"] = "WebApp1", ["Scope"] = "contoso.com" },
            },
        },
        ["CmsPlugins"] = new[] { "ActiveDirectory" },
        ["DomainJoinConfig"] = new Dictionary<string, object>
        {
            ["DnsName"] = "contoso.com",
            ["DnsTreeName"] = "contoso.com",
            ["Guid"] = "244818ae-87ac-4fcd-92ec-e79e5252348a",
            ["MachineAccountName"] = "WebApp1",
            ["NetBiosName"] = "CONTOSO",
            ["Sid"] = "S-1-5-21-2126449477-2524075714-3094792973",
        },
    };

    private const string Canonical =
        """{"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"WebApp1","Scope":"CONTOSO"},{"Name":"WebApp1","Scope":"contoso.com"}]},"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"DnsName":"contoso.com","DnsTreeName":"contoso.com","Guid":"244818ae-87ac-4fcd-92ec-e79e5252348a","MachineAccountName":"WebApp1","NetBiosName":"CONTOSO","Sid":"S-1-5-21-2126449477-2524075714-3094792973"}}""";

    private string CredSpecName => $"gmsa-webapp1-{Namespace}";
    private string RoleName => $"{Namespace}-webapp1-use";

    [SetUp]
    public async Task PrepareNamespaceAsync()
    {
        await LabelNamespaceForWebhooksAsync();
        await Client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "windows.k8s.io/v1",
            ["kind"] = "GMSACredentialSpec",
            ["metadata"] = new Dictionary<string, object> { ["name"] = CredSpecName, ["labels"] = Host.Labels },
            ["credspec"] = DocCredSpec,
        }, "windows.k8s.io", "v1", "gmsacredentialspecs");
        // Wait until the API server routes this namespace to our webhooks and the default service account is usable.
        await Eventually.HoldsAsync(async ct =>
        {
            try
            {
                await Client.CoreV1.CreateNamespacedPodAsync(PodWith(name: "probe", podName: "probe-missing"), Namespace, dryRun: "All", cancellationToken: ct);
                return null;
            }
            catch (HttpOperationException e) when (e.Response.Content.Contains("cred spec probe-missing does not exist"))
            {
                return "ready";
            }
        }, TimeSpan.FromSeconds(60), "the webhooks to serve the test namespace");
    }

    [TearDown]
    public async Task CleanUpClusterScopedAsync()
    {
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.CustomObjects.DeleteClusterCustomObjectAsync("windows.k8s.io", "v1", "gmsacredentialspecs", CredSpecName));
        await ClusterObjects.IgnoreNotFoundAsync(() => Client.RbacAuthorizationV1.DeleteClusterRoleAsync(RoleName));
    }

    private async Task GrantUseAsync(string serviceAccount = "default")
    {
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = RoleName },
            Rules = [new V1PolicyRule { ApiGroups = ["windows.k8s.io"], Resources = ["gmsacredentialspecs"], Verbs = ["use"], ResourceNames = [CredSpecName] }],
        });
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "allow-default-svc-account-use-webapp1" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = serviceAccount, NamespaceProperty = Namespace }],
            RoleRef = new V1RoleRef { Kind = "ClusterRole", Name = RoleName, ApiGroup = "rbac.authorization.k8s.io" },
        }, Namespace);
    }

    private static V1WindowsSecurityContextOptions Gmsa(string? name, string? contents = null) => new() { GmsaCredentialSpecName = name, GmsaCredentialSpec = contents };

    private V1Pod PodWith(string name = "web", string? podName = null, string? podContents = null, V1WindowsSecurityContextOptions? container = null, V1WindowsSecurityContextOptions? init = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            SecurityContext = podName is null && podContents is null ? null : new V1PodSecurityContext { WindowsOptions = Gmsa(podName, podContents) },
            Containers = [new V1Container { Name = "iis", Image = "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019", SecurityContext = container is null ? null : new V1SecurityContext { WindowsOptions = container } }],
            InitContainers = init is null ? null : [new V1Container { Name = "setup", Image = "mcr.microsoft.com/windows/servercore:ltsc2019", SecurityContext = new V1SecurityContext { WindowsOptions = init } }],
            NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" },
        },
    };

    /// <summary>The documentation's Deployment <c>with-creds</c>, with our credspec name.</summary>
    private V1Deployment WithCreds()
    {
        var labels = new Dictionary<string, string> { ["run"] = "with-creds" };
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "with-creds", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        SecurityContext = new V1PodSecurityContext { WindowsOptions = Gmsa(CredSpecName) },
                        Containers = [new V1Container { Name = "iis", Image = "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019", ImagePullPolicy = "Always" }],
                        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" },
                    },
                },
            },
        };
    }

    private async Task<HttpOperationException> CreateFailsAsync(V1Pod pod)
    {
        try
        {
            await Client.CoreV1.CreateNamespacedPodAsync(pod, Namespace);
        }
        catch (HttpOperationException e)
        {
            return e;
        }
        Assert.Fail("the pod was admitted");
        throw new InvalidOperationException();
    }

    private static string Denied(string message) => $"admission webhook \\\"admission-webhook.windows-gmsa.sigs.k8s.io\\\" denied the request: {message}";

    [Test]
    public async Task WithCreds_AfterGrant_PodLevelCredSpecIsByteEqualToCanonicalJson()
    {
        ControlPlaneRequiresControllerManager();
        await GrantUseAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(WithCreds(), Namespace);
        var pod = await Eventually.HoldsAsync(async ct => (await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: "run=with-creds", cancellationToken: ct)).Items.FirstOrDefault(),
            TimeSpan.FromSeconds(60), "the with-creds pod");
        Assert.That(pod.Spec.SecurityContext.WindowsOptions.GmsaCredentialSpecName, Is.EqualTo(CredSpecName));
        Assert.That(pod.Spec.SecurityContext.WindowsOptions.GmsaCredentialSpec, Is.EqualTo(Canonical));
    }

    [Test]
    public async Task ContainerAndInitContainerNames_AreExpandedToo()
    {
        await GrantUseAsync();
        var pod = await Eventually.HoldsAsync(ct => Client.CoreV1.CreateNamespacedPodAsync(PodWith(container: Gmsa(CredSpecName), init: Gmsa(CredSpecName)), Namespace, cancellationToken: ct)!,
            TimeSpan.FromSeconds(30), "the pod to be admitted once RBAC has caught up");
        Assert.That(pod.Spec.Containers[0].SecurityContext.WindowsOptions.GmsaCredentialSpec, Is.EqualTo(Canonical));
        Assert.That(pod.Spec.InitContainers[0].SecurityContext.WindowsOptions.GmsaCredentialSpec, Is.EqualTo(Canonical));
    }

    [Test]
    public async Task WithCreds_WithoutGrant_ReplicaSetReportsFailedCreate()
    {
        ControlPlaneRequiresControllerManager();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(WithCreds(), Namespace);
        var condition = await Eventually.HoldsAsync(async ct =>
        {
            var sets = await Client.AppsV1.ListNamespacedReplicaSetAsync(Namespace, cancellationToken: ct);
            return sets.Items.SelectMany(r => r.Status?.Conditions ?? []).FirstOrDefault(c => c.Reason == "FailedCreate");
        }, TimeSpan.FromSeconds(60), "the ReplicaSet's FailedCreate condition");
        Assert.That(condition.Message, Does.Contain($"service account \"default\" is not authorized to `use` GMSA cred spec \"{CredSpecName}\""));
    }

    [Test]
    public async Task UnknownCredSpec_IsDeniedWith404()
    {
        var e = await CreateFailsAsync(PodWith(podName: "does-not-exist"));
        Assert.That(e.Response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(e.Response.Content, Does.Contain(Denied("cred spec does-not-exist does not exist")));
    }

    [Test]
    public async Task PresetContentsThatDoNotMatch_AreDeniedWith422()
    {
        await GrantUseAsync();
        var e = await Eventually.HoldsAsync(async ct =>
        {
            var failure = await CreateFailsAsync(PodWith(container: Gmsa(CredSpecName, """{"CmsPlugins":[]}""")));
            return failure.Response.StatusCode == HttpStatusCode.UnprocessableEntity ? failure : null;
        }, TimeSpan.FromSeconds(30), "the mismatch denial once RBAC has caught up");
        Assert.That(e.Response.Content, Does.Contain(Denied($"the GMSA cred spec contents for container \\\"iis\\\" does not match the contents of GMSA resource \\\"{CredSpecName}\\\"")));
    }

    [Test]
    public async Task HandWrittenContentsWithoutName_AreDeniedWith422_AtEveryLevel()
    {
        var pod = await CreateFailsAsync(PodWith(podContents: Canonical));
        var container = await CreateFailsAsync(PodWith(container: Gmsa(null, Canonical)));
        var init = await CreateFailsAsync(PodWith(init: Gmsa(null, Canonical)));
        Assert.That(pod.Response.Content, Does.Contain(Denied("pod \\\"web\\\" has a GMSA cred spec set, but does not define the name of the corresponding resource")));
        Assert.That(container.Response.Content, Does.Contain(Denied("container \\\"iis\\\" has a GMSA cred spec set, but does not define the name of the corresponding resource")));
        Assert.That(init.Response.Content, Does.Contain(Denied("initContainer \\\"setup\\\" has a GMSA cred spec set, but does not define the name of the corresponding resource")));
        Assert.That(new[] { pod, container, init }.Select(e => e.Response.StatusCode), Has.All.EqualTo(HttpStatusCode.UnprocessableEntity));
    }

    [Test]
    public async Task UpdatingGmsaNameOrContents_IsDenied_UpdatingTheImageIsAllowed()
    {
        await GrantUseAsync();
        await Eventually.HoldsAsync(ct => Client.CoreV1.CreateNamespacedPodAsync(PodWith(podName: CredSpecName), Namespace, cancellationToken: ct)!,
            TimeSpan.FromSeconds(30), "the pod to be admitted once RBAC has caught up");

        var image = new V1Patch("""[{"op":"replace","path":"/spec/containers/0/image","value":"mcr.microsoft.com/windows/servercore/iis:v2"}]""", V1Patch.PatchType.JsonPatch);
        var updated = await Client.CoreV1.PatchNamespacedPodAsync(image, "web", Namespace);
        Assert.That(updated.Spec.Containers[0].Image, Is.EqualTo("mcr.microsoft.com/windows/servercore/iis:v2"));

        foreach (var patch in new[]
                 {
                     """[{"op":"replace","path":"/spec/securityContext/windowsOptions/gmsaCredentialSpecName","value":"other"}]""",
                     """[{"op":"replace","path":"/spec/securityContext/windowsOptions/gmsaCredentialSpec","value":"{}"}]""",
                 })
        {
            var e = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "web", Namespace));
            // Core pod-update validation runs before validating webhooks and already forbids this; ours is defence in depth.
            Assert.That((int)e!.Response.StatusCode, Is.EqualTo(403).Or.EqualTo(422));
        }
        var unchanged = await Client.CoreV1.ReadNamespacedPodAsync("web", Namespace);
        Assert.That(unchanged.Spec.SecurityContext.WindowsOptions.GmsaCredentialSpec, Is.EqualTo(Canonical));
    }

    private static void ControlPlaneRequiresControllerManager()
    {
        if (!ControlPlaneSetup.Plane.HasControllerManager) Assert.Ignore("No kube-controller-manager available (KUBEBUILDER_ASSETS without it).");
    }
}
