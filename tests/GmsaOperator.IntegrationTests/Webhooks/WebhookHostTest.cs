using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>A fixture with the webhooks running in-process and registered with the API server for its lifetime.</summary>
public abstract class WebhookHostTest : IntegrationTest
{
    private protected static WebhookHost Host { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartWebhookHostAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        Host = await WebhookHost.StartAsync(Client, cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopWebhookHostAsync()
    {
        if (Host is null) return;
        await Host.UnregisterAsync(Client);
        await Host.DisposeAsync();
        Host = null!;
    }

    /// <summary>Lets <paramref name="user"/> do what <paramref name="rule"/> allows in the test's namespace (a Role and RoleBinding named <paramref name="name"/>).</summary>
    protected async Task GrantUserAsync(string user, string name, V1PolicyRule rule)
    {
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = name }, Rules = [rule] }, Namespace);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = name },
            Subjects = [new Rbacv1Subject { Kind = "User", Name = user, ApiGroup = "rbac.authorization.k8s.io" }],
            RoleRef = new V1RoleRef { Kind = "Role", Name = name, ApiGroup = "rbac.authorization.k8s.io" },
        }, Namespace);
    }

    /// <summary>A client acting as <paramref name="user"/>.</summary>
    protected static Kubernetes ClientAs(string user) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(ControlPlaneSetup.Plane.KubeconfigPath), new ImpersonatingHandler(user));

    /// <summary>
    /// Creates <paramref name="binding"/> as <paramref name="user"/> until our binding webhook refuses it (RBAC for the
    /// user and the webhook registration both in effect) and returns that refusal; an admitted binding fails the test.
    /// </summary>
    protected async Task<HttpOperationException> BindingWebhookRefusalAsync(IKubernetes user, object binding, string who) =>
        await Eventually.HoldsAsync(async ct =>
        {
            try
            {
                await user.CustomObjects.CreateNamespacedCustomObjectAsync(binding, "gmsa.dev", "v1alpha1", Namespace, "gmsabindings", cancellationToken: ct);
                Assert.Fail($"{who}'s GmsaBinding was admitted");
                return null;
            }
            catch (HttpOperationException e) when (e.Response.Content.Contains("admission webhook"))
            {
                return e;
            }
        }, TimeSpan.FromSeconds(60), $"the binding webhook to judge {who}'s request");

    /// <summary>Puts the test's namespace under the pod webhooks (their namespace selector).</summary>
    protected Task LabelNamespaceForWebhooksAsync() =>
        Client.CoreV1.PatchNamespaceAsync(ClusterObjects.LabelsPatch(Host.Labels), Namespace);
}
