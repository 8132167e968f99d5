using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using k8s.Models;

namespace GmsaOperator.Webhooks.Registration;

/// <summary>
/// The operator's MutatingWebhookConfiguration and ValidatingWebhookConfiguration: one definition used for
/// <c>config/webhook</c> (service client config) and for local mode (URL client config), so both carry the same rules.
/// No caBundle: the certificate controller injects it at run time.
/// </summary>
public static class AdmissionWebhookConfigurations
{
    /// <summary>The upstream windows-gmsa webhook name, kept for drop-in compatibility.</summary>
    public const string PodWebhookName = "admission-webhook.windows-gmsa.sigs.k8s.io";
    public const string GmsaBindingWebhookName = "validate-gmsabinding.gmsa.dev";
    public const string CredentialSpecWebhookName = "validate-gmsacredentialspec.gmsa.dev";

    public const string MutatePodPath = Http.WebhookPaths.MutatePod;
    public const string ValidatePodPath = Http.WebhookPaths.ValidatePod;
    public const string ValidateGmsaBindingPath = Http.WebhookPaths.ValidateGmsaBinding;
    public const string ValidateCredentialSpecPath = Http.WebhookPaths.ValidateCredentialSpec;

    private const int TimeoutSeconds = 5;

    /// <summary>Client config for a URL (local mode): <c>https://host:port/path</c> with the raw PEM CA bundle.</summary>
    public static Func<string, Admissionregistrationv1WebhookClientConfig> UrlClientConfig(Uri baseUrl, byte[]? caBundlePem) =>
        path => new Admissionregistrationv1WebhookClientConfig { Url = new Uri(baseUrl, path).ToString(), CaBundle = caBundlePem };

    /// <summary>Builds the mutating configuration; <paramref name="clientConfig"/> maps a path to where the API server sends it.</summary>
    /// <param name="scope">Only for tests sharing one API server: replaces every namespaceSelector so the hooks see only their namespaces.</param>
    public static V1MutatingWebhookConfiguration Mutating(string name, string operatorNamespace, Func<string, Admissionregistrationv1WebhookClientConfig> clientConfig,
        V1LabelSelector? scope = null) => new()
    {
        ApiVersion = "admissionregistration.k8s.io/v1",
        Kind = "MutatingWebhookConfiguration",
        Metadata = new V1ObjectMeta { Name = name },
        Webhooks =
        [
            new V1MutatingWebhook
            {
                Name = PodWebhookName,
                ClientConfig = clientConfig(MutatePodPath),
                Rules = [PodRule(["CREATE"]), EphemeralContainersRule()],
                NamespaceSelector = scope ?? PodNamespaceSelector(operatorNamespace),
                FailurePolicy = "Fail",
                MatchPolicy = "Equivalent",
                SideEffects = "None",
                TimeoutSeconds = TimeoutSeconds,
                AdmissionReviewVersions = ["v1"],
                // Expand names another mutating webhook adds after us; expansion is idempotent.
                ReinvocationPolicy = "IfNeeded",
            },
        ],
    };

    /// <summary>Builds the validating configuration (pods, GmsaBindings, GMSACredentialSpecs).</summary>
    /// <param name="scope">Only for tests sharing one API server: replaces every namespaceSelector so the hooks see only their namespaces.</param>
    /// <param name="credentialSpecObjectSelector">Only for tests: objectSelector of the (cluster-scoped) credential-spec hook.</param>
    public static V1ValidatingWebhookConfiguration Validating(string name, string operatorNamespace, Func<string, Admissionregistrationv1WebhookClientConfig> clientConfig,
        V1LabelSelector? scope = null, V1LabelSelector? credentialSpecObjectSelector = null) => new()
    {
        ApiVersion = "admissionregistration.k8s.io/v1",
        Kind = "ValidatingWebhookConfiguration",
        Metadata = new V1ObjectMeta { Name = name },
        Webhooks =
        [
            Validating(PodWebhookName, clientConfig(ValidatePodPath), [PodRule(["CREATE", "UPDATE"]), EphemeralContainersRule()], scope ?? PodNamespaceSelector(operatorNamespace)),
            // No namespace opt-out for bindings: whoever may label a namespace must not thereby skip the check that the
            // binding's author may use the credential spec (the operator would grant it with its own privileges).
            Validating(GmsaBindingWebhookName, clientConfig(ValidateGmsaBindingPath),
                [Rule(GmsaBinding.ApiGroup, GmsaBinding.Version, GmsaBinding.Plural, "Namespaced", ["CREATE", "UPDATE"])], scope),
            Validating(CredentialSpecWebhookName, clientConfig(ValidateCredentialSpecPath),
                [Rule(GmsaCredentialSpec.ApiGroup, "*", GmsaCredentialSpec.Plural, "Cluster", ["CREATE", "UPDATE"])], null, credentialSpecObjectSelector),
        ],
    };

    private static V1ValidatingWebhook Validating(string name, Admissionregistrationv1WebhookClientConfig clientConfig, IList<V1RuleWithOperations> rules,
        V1LabelSelector? namespaceSelector, V1LabelSelector? objectSelector = null) => new()
    {
        Name = name,
        ClientConfig = clientConfig,
        Rules = rules,
        NamespaceSelector = namespaceSelector,
        ObjectSelector = objectSelector,
        FailurePolicy = "Fail",
        MatchPolicy = "Equivalent",
        SideEffects = "None",
        TimeoutSeconds = TimeoutSeconds,
        AdmissionReviewVersions = ["v1"],
    };

    private static V1RuleWithOperations PodRule(IList<string> operations) => Rule("", "v1", "pods", "Namespaced", operations);

    private static V1RuleWithOperations EphemeralContainersRule() => Rule("", "v1", "pods/ephemeralcontainers", "Namespaced", ["UPDATE"]);

    private static V1RuleWithOperations Rule(string group, string version, string resource, string scope, IList<string> operations) => new()
    {
        ApiGroups = [group],
        ApiVersions = [version],
        Resources = [resource],
        Operations = operations,
        Scope = scope,
    };

    /// <summary>
    /// Skips the operator's namespace, kube-system and namespaces labelled windows.k8s.io/disabled=true. The
    /// kubernetes.io/metadata.name label exists from Kubernetes 1.21; on older clusters the operator's namespace is
    /// skipped through its windows.k8s.io/disabled label.
    /// </summary>
    public static V1LabelSelector PodNamespaceSelector(string operatorNamespace) => new()
    {
        MatchExpressions =
        [
            new V1LabelSelectorRequirement { Key = "kubernetes.io/metadata.name", OperatorProperty = "NotIn", Values = [operatorNamespace, "kube-system"] },
            new V1LabelSelectorRequirement { Key = Entities.Deployment.OperatorDeployment.DisabledNamespaceLabel, OperatorProperty = "NotIn", Values = ["true"] },
        ],
    };
}
