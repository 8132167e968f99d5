using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>
/// Through the real API server: a GmsaBinding author may turn on rolloutOnChange only if they may patch the namespace's
/// Deployments, StatefulSets and DaemonSets themselves (the operator restarts them with its own rights).
/// </summary>
[NonParallelizable]
public sealed class RolloutOnChangeAuthorizationTests : WebhookHostTest
{
    private static Dictionary<string, object> Binding(bool rollout) => new()
    {
        ["apiVersion"] = "gmsa.dev/v1alpha1",
        ["kind"] = "GmsaBinding",
        ["metadata"] = new Dictionary<string, object> { ["name"] = "web" },
        ["spec"] = new Dictionary<string, object> { ["credentialSpecName"] = "webapp1", ["serviceAccounts"] = new[] { "default" }, ["rolloutOnChange"] = rollout },
    };

    [Test]
    public async Task RolloutOnChange_NeedsPatchOnWorkloads_OnCreateAndWhenTurnedOn()
    {
        await LabelNamespaceForWebhooksAsync();
        // carol may write GmsaBindings and use the credspec, but not restart workloads.
        await GrantUserAsync("carol", "binding-writer", new V1PolicyRule { ApiGroups = ["gmsa.dev"], Resources = ["gmsabindings"], Verbs = ["create", "get", "list", "update", "patch"] });
        await GrantUserAsync("carol", "use-webapp1", new V1PolicyRule { ApiGroups = ["windows.k8s.io"], Resources = ["gmsacredentialspecs"], ResourceNames = ["webapp1"], Verbs = ["use"] });

        using var carol = ClientAs("carol");
        var denied = await BindingWebhookRefusalAsync(carol, Binding(rollout: true), "carol");
        Assert.That(denied.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(denied.Response.Content, Does.Contain("spec.rolloutOnChange lets the operator restart the namespace's Deployments, StatefulSets and DaemonSets, which requires the user to be authorized to patch them (verb patch on deployments.apps"));

        // Without the option carol may create it; turning it on later is judged the same way.
        await carol.CustomObjects.CreateNamespacedCustomObjectAsync(Binding(rollout: false), "gmsa.dev", "v1alpha1", Namespace, "gmsabindings");
        var turnOn = new V1Patch("""{"spec":{"rolloutOnChange":true}}""", V1Patch.PatchType.MergePatch);
        var refused = Assert.ThrowsAsync<HttpOperationException>(() => carol.CustomObjects.PatchNamespacedCustomObjectAsync(turnOn, "gmsa.dev", "v1alpha1", Namespace, "gmsabindings", "web"));
        Assert.That(refused!.Response.Content, Does.Contain("may not update GmsaBinding"));

        await GrantUserAsync("carol", "restarter", new V1PolicyRule { ApiGroups = ["apps"], Resources = ["deployments", "statefulsets", "daemonsets"], Verbs = ["patch"] });
        await Eventually.HoldsAsync(async ct =>
        {
            await carol.CustomObjects.PatchNamespacedCustomObjectAsync(turnOn, "gmsa.dev", "v1alpha1", Namespace, "gmsabindings", "web", cancellationToken: ct);
            return "patched";
        }, TimeSpan.FromSeconds(30), "carol, now allowed to patch workloads, to turn rolloutOnChange on");
    }
}
