using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// The objects the certificate controller watches, each by name (a field selector: the RBAC rules name them), and the
/// read of all of them from the informer caches.
/// </summary>
public sealed class CertificateCache(IObjectCache cache, CertificateSettings settings)
{
    /// <summary>Declares the watches: both Secrets and the managed webhook configurations.</summary>
    public static FixedKeyControllerBuilder Watch(FixedKeyControllerBuilder controller, CertificateSettings settings)
    {
        controller.Watches<V1Secret>(SecretScope(settings, settings.CaSecretName)).Watches<V1Secret>(SecretScope(settings, settings.ServingSecretName));
        if (settings.MutatingWebhookConfigurationName.Length > 0)
        {
            controller.Watches<V1MutatingWebhookConfiguration>(InformerScope.NamedClusterObject(settings.MutatingWebhookConfigurationName));
        }
        if (settings.ValidatingWebhookConfigurationName.Length > 0)
        {
            controller.Watches<V1ValidatingWebhookConfiguration>(InformerScope.NamedClusterObject(settings.ValidatingWebhookConfigurationName));
        }
        return controller;
    }

    /// <summary>Everything the planner decides from, and the cached resourceVersion of each object (for write expectations).</summary>
    public (RotationInputs Inputs, IReadOnlyDictionary<string, string?> Versions) Read(LastGoodMaterial lastGood, DateTimeOffset now)
    {
        var versions = new Dictionary<string, string?>(StringComparer.Ordinal);
        V1Secret? Secret(string name)
        {
            var secret = cache.Get<V1Secret>(new ObjectKey(settings.Namespace, name), SecretScope(settings, name));
            versions[CertificateExecutor.SecretKey(name)] = secret?.Metadata?.ResourceVersion;
            return secret;
        }
        var ca = Secret(settings.CaSecretName);
        var serving = Secret(settings.ServingSecretName);

        var configs = new List<ObservedWebhookConfiguration>();
        void Config<T>(WebhookConfigurationKind kind, string name, Func<T, IEnumerable<ObservedWebhook>> webhooks) where T : class, IKubernetesObject<V1ObjectMeta>
        {
            if (name.Length == 0 || cache.Get<T>(new ObjectKey(null, name), InformerScope.NamedClusterObject(name)) is not { } config) return;
            var observed = new ObservedWebhookConfiguration(kind, name, webhooks(config).ToList());
            versions[$"{kind}/{name}"] = config.Metadata?.ResourceVersion;
            configs.Add(observed);
        }
        Config<V1MutatingWebhookConfiguration>(WebhookConfigurationKind.Mutating, settings.MutatingWebhookConfigurationName,
            m => (m.Webhooks ?? []).Select(w => new ObservedWebhook(w.Name, w.ClientConfig?.CaBundle)));
        Config<V1ValidatingWebhookConfiguration>(WebhookConfigurationKind.Validating, settings.ValidatingWebhookConfigurationName,
            v => (v.Webhooks ?? []).Select(w => new ObservedWebhook(w.Name, w.ClientConfig?.CaBundle)));
        return (new RotationInputs(ca, serving, configs, lastGood, now), versions);
    }

    private static InformerScope SecretScope(CertificateSettings settings, string name) => InformerScope.Named(settings.Namespace, name);
}
