using GmsaOperator.Webhooks.Http;
using k8s.Models;

namespace GmsaOperator.Webhooks.Registration;

/// <summary>
/// Builds the Mutating/ValidatingWebhookConfiguration objects (used by local mode now; meant for config/webhook too).
/// Pod hooks keep upstream's webhook name and paths and add the <c>pods/ephemeralcontainers</c> rule; all hooks use
/// sideEffects None, admissionReviewVersions [v1], timeoutSeconds 5, failurePolicy Fail.
/// </summary>
public static class WebhookConfigurations
{
    public const string PodWebhookName = "admission-webhook.windows-gmsa.sigs.k8s.io";
    public const string GmsaBindingWebhookName = "gmsabinding.gmsa.dev";
    public const string CredentialSpecWebhookName = "gmsacredentialspec.gmsa.dev";
    public const int TimeoutSeconds = 5;

    /// <summary>Excludes the operator namespace, kube-system and namespaces labelled <c>windows.k8s.io/disabled=true</c>.</summary>
    /// <remarks><c>kubernetes.io/metadata.name</c> is set automatically from Kubernetes 1.21; older servers only honour the opt-out label.</remarks>
    public static V1LabelSelector DefaultNamespaceSelector(string operatorNamespace) => new()
    {
        MatchExpressions =
        [
            new V1LabelSelectorRequirement { Key = "kubernetes.io/metadata.name", OperatorProperty = "NotIn", Values = [operatorNamespace, "kube-system"] },
            new V1LabelSelectorRequirement { Key = "windows.k8s.io/disabled", OperatorProperty = "NotIn", Values = ["true"] },
        ],
    };

    /// <summary>Client config for a URL (local mode): <c>https://host:port/path</c> with the raw PEM CA bundle.</summary>
    public static Func<string, Admissionregistrationv1WebhookClientConfig> Url(Uri baseUrl, byte[] caBundlePem) =>
        path => new Admissionregistrationv1WebhookClientConfig { Url = new Uri(baseUrl, path).ToString(), CaBundle = caBundlePem };

    /// <summary>Client config for an in-cluster Service.</summary>
    public static Func<string, Admissionregistrationv1WebhookClientConfig> Service(string @namespace, string name, int port, byte[]? caBundlePem) =>
        path => new Admissionregistrationv1WebhookClientConfig
        {
            Service = new Admissionregistrationv1ServiceReference { NamespaceProperty = @namespace, Name = name, Path = path, Port = port },
            CaBundle = caBundlePem,
        };

    public static V1MutatingWebhookConfiguration Mutating(string name, Func<string, Admissionregistrationv1WebhookClientConfig> clientConfig, V1LabelSelector namespaceSelector) => new()
    {
        ApiVersion = "admissionregistration.k8s.io/v1",
        Kind = "MutatingWebhookConfiguration",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "gmsa-operator" } },
        Webhooks =
        [
            new V1MutatingWebhook
            {
                Name = PodWebhookName,
                ClientConfig = clientConfig(WebhookPaths.MutatePod),
                Rules = PodRules(["CREATE"]),
                NamespaceSelector = namespaceSelector,
                SideEffects = "None",
                AdmissionReviewVersions = ["v1"],
                TimeoutSeconds = TimeoutSeconds,
                FailurePolicy = "Fail",
                MatchPolicy = "Equivalent",
                ReinvocationPolicy = "Never",
            },
        ],
    };

    /// <param name="clusterScopedObjectSelector">Optional objectSelector for the credspec hook (cluster-scoped objects ignore namespaceSelector).</param>
    public static V1ValidatingWebhookConfiguration Validating(string name, Func<string, Admissionregistrationv1WebhookClientConfig> clientConfig, V1LabelSelector namespaceSelector,
        V1LabelSelector? clusterScopedObjectSelector = null) => new()
    {
        ApiVersion = "admissionregistration.k8s.io/v1",
        Kind = "ValidatingWebhookConfiguration",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "gmsa-operator" } },
        Webhooks =
        [
            Validating(PodWebhookName, clientConfig(WebhookPaths.ValidatePod), PodRules(["CREATE", "UPDATE"]), namespaceSelector, null),
            Validating(GmsaBindingWebhookName, clientConfig(WebhookPaths.ValidateGmsaBinding),
                [new V1RuleWithOperations { ApiGroups = ["gmsa.dev"], ApiVersions = ["*"], Resources = ["gmsabindings"], Operations = ["CREATE", "UPDATE"], Scope = "Namespaced" }],
                namespaceSelector, null),
            Validating(CredentialSpecWebhookName, clientConfig(WebhookPaths.ValidateCredentialSpec),
                [new V1RuleWithOperations { ApiGroups = ["windows.k8s.io"], ApiVersions = ["*"], Resources = ["gmsacredentialspecs"], Operations = ["CREATE", "UPDATE"], Scope = "Cluster" }],
                null, clusterScopedObjectSelector),
        ],
    };

    private static V1ValidatingWebhook Validating(string name, Admissionregistrationv1WebhookClientConfig clientConfig, IList<V1RuleWithOperations> rules,
        V1LabelSelector? namespaceSelector, V1LabelSelector? objectSelector) => new()
    {
        Name = name,
        ClientConfig = clientConfig,
        Rules = rules,
        NamespaceSelector = namespaceSelector,
        ObjectSelector = objectSelector,
        SideEffects = "None",
        AdmissionReviewVersions = ["v1"],
        TimeoutSeconds = TimeoutSeconds,
        FailurePolicy = "Fail",
        MatchPolicy = "Equivalent",
    };

    /// <summary>Pods on the given operations plus <c>pods/ephemeralcontainers</c> UPDATE (upstream PR #187).</summary>
    private static List<V1RuleWithOperations> PodRules(IList<string> operations) =>
    [
        new() { ApiGroups = [""], ApiVersions = ["*"], Resources = ["pods"], Operations = operations, Scope = "Namespaced" },
        new() { ApiGroups = [""], ApiVersions = ["*"], Resources = ["pods/ephemeralcontainers"], Operations = ["UPDATE"], Scope = "Namespaced" },
    ];
}
