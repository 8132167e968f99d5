using System.Net;
using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using k8s;
using k8s.Autorest;
using k8s.Models;
using GmsaOperator.Operator.Generation;

namespace GmsaOperator.Bench;

/// <summary>Objects the benchmark creates on the local control plane (credspecs, namespaces, bindings, RoleBindings).</summary>
internal static class BenchCluster
{
    public const string RunLabel = "gmsa-bench-run";

    /// <summary>The documentation's credspec, as config/samples ships it; <see cref="CredSpecContents"/> is its JSON.</summary>
    public static readonly CredentialSpecDocument CredSpec = SampleManifests.CredentialSpec().CredSpec!;

    public static string CredSpecContents => KubernetesJson.Serialize(CredSpec);

    public static async Task CreateNamespaceAsync(IKubernetes client, string name, CancellationToken cancellationToken) =>
        await IgnoreConflict(() => client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: cancellationToken));

    public static async Task CreateCredSpecAsync(IKubernetes client, string name, string run, CancellationToken cancellationToken) =>
        await IgnoreConflict(() => client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = $"{GmsaCredentialSpec.ApiGroup}/{GmsaCredentialSpec.StorageVersion}",
            ["kind"] = GmsaCredentialSpec.EntityKind,
            ["metadata"] = new Dictionary<string, object> { ["name"] = name, ["labels"] = new Dictionary<string, string> { [RunLabel] = run } },
            ["credspec"] = CredSpec,
        }, GmsaCredentialSpec.ApiGroup, GmsaCredentialSpec.StorageVersion, GmsaCredentialSpec.Plural, cancellationToken: cancellationToken));

    // An existing service account (every namespace has "default"): a missing one would cost the admission webhook a
    // live GET per create for its "does not exist (yet)" warning, and is not the common case.
    public static Task CreateBindingAsync(IKubernetes client, string ns, string name, string credSpec, string run, CancellationToken cancellationToken) =>
        CreateBindingAsync(client, ns, name, credSpec, ["default"], run, GmsaBinding.ApiGroup, cancellationToken);

    /// <param name="group">gmsa.dev, or the design floor's copy of the CRD (same schema, no webhook, no operator).</param>
    public static Task CreateBindingAsync(IKubernetes client, string ns, string name, string credSpec, IList<string> serviceAccounts, string run, string group,
        CancellationToken cancellationToken) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(new GmsaBinding
        {
            ApiVersion = $"{group}/{GmsaBinding.Version}",
            Kind = GmsaBinding.EntityKind,
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { [RunLabel] = run } },
            Spec = new GmsaBindingSpec { CredentialSpecName = credSpec, ServiceAccounts = serviceAccounts },
        }, group, GmsaBinding.Version, ns, GmsaBinding.Plural, cancellationToken: cancellationToken);

    public static Task CreateServiceAccountAsync(IKubernetes client, string ns, string name, CancellationToken cancellationToken) =>
        IgnoreConflict(() => client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, ns, cancellationToken: cancellationToken));

    /// <summary>The RoleBinding the operator would generate for such a binding: the floor of the convergence benchmark.</summary>
    public static Task CreateRoleBindingAsync(IKubernetes client, string ns, string name, string clusterRole, string run, CancellationToken cancellationToken) =>
        client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [RunLabel] = run } },
            Subjects =
            [
                new Rbacv1Subject { Kind = "ServiceAccount", Name = "default", NamespaceProperty = ns },
            ],
            RoleRef = new V1RoleRef { Kind = "ClusterRole", Name = clusterRole, ApiGroup = "rbac.authorization.k8s.io" },
        }, ns, cancellationToken: cancellationToken);

    /// <summary>How many GmsaBindings labelled with <paramref name="run"/> have Ready=True (one list call).</summary>
    public static async Task<int> CountReadyAsync(IKubernetes client, string run, CancellationToken cancellationToken)
    {
        var list = await client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(GmsaBinding.ApiGroup, GmsaBinding.Version, GmsaBinding.Plural,
            labelSelector: $"{RunLabel}={run}", cancellationToken: cancellationToken);
        var ready = 0;
        foreach (var item in list.GetProperty("items").EnumerateArray())
        {
            if (!item.TryGetProperty("status", out var status) || !status.TryGetProperty("conditions", out var conditions)) continue;
            foreach (var c in conditions.EnumerateArray())
            {
                if (c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True") ready++;
            }
        }
        return ready;
    }

    internal static async Task IgnoreConflict(Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
        }
    }
}
