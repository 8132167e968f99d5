using GmsaOperator.Entities.Deployment;
using k8s.Models;

namespace GmsaOperator.Webhooks.Registration;

/// <summary>
/// Client-config helpers and selector-scoped variants of <see cref="AdmissionWebhookConfigurations"/> (the one
/// definition of the rules, used for config/webhook and local mode alike).
/// </summary>
public static class WebhookConfigurations
{
    public const string PodWebhookName = AdmissionWebhookConfigurations.PodWebhookName;

    /// <summary>Client config for a URL (local mode): <c>https://host:port/path</c> with the raw PEM CA bundle.</summary>
    public static Func<string, Admissionregistrationv1WebhookClientConfig> Url(Uri baseUrl, byte[]? caBundlePem) =>
        path => new Admissionregistrationv1WebhookClientConfig { Url = new Uri(baseUrl, path).ToString(), CaBundle = caBundlePem };

    /// <summary>Client config for an in-cluster Service.</summary>
    public static Func<string, Admissionregistrationv1WebhookClientConfig> Service(string @namespace, string name, int port, byte[]? caBundlePem) =>
        path => new Admissionregistrationv1WebhookClientConfig
        {
            Service = new Admissionregistrationv1ServiceReference { NamespaceProperty = @namespace, Name = name, Path = path, Port = port },
            CaBundle = caBundlePem,
        };

    /// <summary>The mutating configuration with every hook limited to namespaces matching <paramref name="namespaceSelector"/>.</summary>
    public static V1MutatingWebhookConfiguration Mutating(string name, Func<string, Admissionregistrationv1WebhookClientConfig> clientConfig, V1LabelSelector namespaceSelector) =>
        Labelled(AdmissionWebhookConfigurations.Mutating(name, OperatorDeployment.Namespace, clientConfig, namespaceSelector));

    /// <summary>The validating configuration with every namespaced hook limited to <paramref name="namespaceSelector"/>.</summary>
    /// <param name="clusterScopedObjectSelector">Optional objectSelector for the credspec hook (cluster-scoped objects ignore namespaceSelector).</param>
    public static V1ValidatingWebhookConfiguration Validating(string name, Func<string, Admissionregistrationv1WebhookClientConfig> clientConfig, V1LabelSelector namespaceSelector,
        V1LabelSelector? clusterScopedObjectSelector = null) =>
        Labelled(AdmissionWebhookConfigurations.Validating(name, OperatorDeployment.Namespace, clientConfig, namespaceSelector, clusterScopedObjectSelector));

    private static T Labelled<T>(T configuration) where T : k8s.IKubernetesObject<V1ObjectMeta>
    {
        configuration.Metadata.Labels = new Dictionary<string, string> { [OperatorDeployment.ManagedByLabel] = OperatorDeployment.ManagedByValue };
        return configuration;
    }
}
