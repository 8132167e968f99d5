using GmsaOperator.Entities.Deployment;
using GmsaOperator.Entities.Rbac;
using k8s;
using k8s.Models;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// Server-side apply of <c>clientConfig.caBundle</c> into existing webhook entries, under a field manager of its own
/// (force): the body names only <c>webhooks[].name</c> and <c>clientConfig.caBundle</c>, so Helm/GitOps keep owning
/// everything else. <c>webhooks</c> is a list-map keyed by name; we never invent entries.
/// </summary>
[RequiresPermission("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "patch",
    ResourceNames = [OperatorDeployment.WebhookConfigurationName], Reason = "server-side apply of clientConfig.caBundle")]
[RequiresPermission("admissionregistration.k8s.io", "validatingwebhookconfigurations", "patch",
    ResourceNames = [OperatorDeployment.WebhookConfigurationName], Reason = "server-side apply of clientConfig.caBundle")]
public static class CaBundleInjector
{
    /// <summary>The apply body. <c>CaBundle</c> takes raw PEM bytes: KubernetesClient base64-encodes byte[] itself.</summary>
    public static object BuildApplyBody(WebhookConfigurationKind kind, string name, IEnumerable<string> webhookNames, byte[] pem) => kind switch
    {
        WebhookConfigurationKind.Mutating => new V1MutatingWebhookConfiguration
        {
            ApiVersion = "admissionregistration.k8s.io/v1",
            Kind = "MutatingWebhookConfiguration",
            Metadata = new V1ObjectMeta { Name = name },
            Webhooks = webhookNames.Select(n => new V1MutatingWebhook { Name = n, ClientConfig = new Admissionregistrationv1WebhookClientConfig { CaBundle = pem } }).ToList(),
        },
        _ => new V1ValidatingWebhookConfiguration
        {
            ApiVersion = "admissionregistration.k8s.io/v1",
            Kind = "ValidatingWebhookConfiguration",
            Metadata = new V1ObjectMeta { Name = name },
            Webhooks = webhookNames.Select(n => new V1ValidatingWebhook { Name = n, ClientConfig = new Admissionregistrationv1WebhookClientConfig { CaBundle = pem } }).ToList(),
        },
    };

    /// <summary>Applies <paramref name="bundle"/> to the entries of <paramref name="action"/>; returns the object's resourceVersion afterwards.</summary>
    public static async Task<string?> ApplyAsync(IKubernetes client, InjectCaBundle action, TrustBundle bundle, string fieldManager, CancellationToken ct)
    {
        var body = BuildApplyBody(action.Kind, action.Name, action.WebhookNames, bundle.ToPemBytes());
        var patch = new V1Patch(KubernetesJson.Serialize(body), V1Patch.PatchType.ApplyPatch);
        if (action.Kind == WebhookConfigurationKind.Mutating)
        {
            var applied = await client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(patch, action.Name, fieldManager: fieldManager, force: true, cancellationToken: ct).ConfigureAwait(false);
            return applied.Metadata?.ResourceVersion;
        }
        var validating = await client.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(patch, action.Name, fieldManager: fieldManager, force: true, cancellationToken: ct).ConfigureAwait(false);
        return validating.Metadata?.ResourceVersion;
    }

    /// <summary>The configuration as stored, managedFields included (they name whoever else wrote the caBundle); null when it is gone.</summary>
    public static async Task<IKubernetesObject<V1ObjectMeta>?> ReadAsync(IKubernetes client, InjectCaBundle action, CancellationToken ct)
    {
        try
        {
            return action.Kind == WebhookConfigurationKind.Mutating
                ? await client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(action.Name, cancellationToken: ct).ConfigureAwait(false)
                : await client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(action.Name, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
