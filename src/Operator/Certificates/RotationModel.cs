using k8s.Models;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Which admission registration kind a managed webhook configuration is.</summary>
public enum WebhookConfigurationKind
{
    Mutating,
    Validating,
}

/// <summary>One webhook entry of a managed configuration and its current <c>clientConfig.caBundle</c>.</summary>
public sealed record ObservedWebhook(string Name, byte[]? CaBundle);

/// <summary>A managed webhook configuration as it exists in the cluster (absent ones are simply not observed).</summary>
public sealed record ObservedWebhookConfiguration(WebhookConfigurationKind Kind, string Name, IReadOnlyList<ObservedWebhook> Webhooks);

/// <summary>Everything the rotation planner decides from.</summary>
public sealed record RotationInputs(
    V1Secret? CaSecret,
    V1Secret? ServingSecret,
    IReadOnlyList<ObservedWebhookConfiguration> WebhookConfigurations,
    LastGoodMaterial LastGood,
    DateTimeOffset Now);

/// <summary>A write the planner wants; <see cref="Urgent"/> ones are done by any replica, the others by the leader.</summary>
public abstract record CertificateAction(string Reason, bool Urgent);

/// <summary>Why the CA Secret is written.</summary>
public enum CaChange
{
    /// <summary>First CA (no usable CA anywhere).</summary>
    Created,

    /// <summary>Deleted or broken Secret rewritten from this process's last good CA: no trust change.</summary>
    Restored,

    /// <summary>A new CA staged because less than a third of the current one's life remains.</summary>
    Rotated,

    /// <summary>Broken Secret with nothing to restore: new CA, old still-valid CAs kept in the bundle.</summary>
    Replaced,

    /// <summary>Same CA, bundle repaired (expired or foreign entries pruned, signing CA re-added).</summary>
    BundleRepaired,
}

/// <summary>Why the serving Secret is written.</summary>
public enum LeafChange
{
    /// <summary>No usable leaf: issued at once from the signing CA.</summary>
    Issued,

    /// <summary>Less than a third of the leaf's life remains.</summary>
    Renewed,

    /// <summary>The leaf was signed by an older CA; re-issued from the signing CA once it is trusted everywhere.</summary>
    Reissued,

    /// <summary>Deleted or broken Secret rewritten from this process's last good leaf.</summary>
    Restored,
}

/// <summary>Create (ResourceVersion null) or replace (with the observed ResourceVersion) the CA Secret.</summary>
public sealed record WriteCaSecret(CaMaterial Material, string? ResourceVersion, CaChange Change, string Reason, bool Urgent)
    : CertificateAction(Reason, Urgent);

/// <summary>Create (ResourceVersion null) or replace (with the observed ResourceVersion) the serving Secret.</summary>
public sealed record WriteServingSecret(LeafMaterial Material, string? ResourceVersion, LeafChange Change, string Reason, bool Urgent)
    : CertificateAction(Reason, Urgent);

/// <summary>Server-side apply of the bundle into every listed webhook entry of one configuration.</summary>
public sealed record InjectCaBundle(WebhookConfigurationKind Kind, string Name, IReadOnlyList<string> WebhookNames, TrustBundle Bundle, string Reason, bool Urgent)
    : CertificateAction(Reason, Urgent);

/// <summary>
/// The planner's answer: writes in execution order (CA Secret, caBundles, serving Secret), when to look again if
/// nothing happens, the signing CA and published bundle that result, and conditions to report.
/// </summary>
public sealed record RotationPlan(
    IReadOnlyList<CertificateAction> Actions,
    DateTimeOffset NextCheckAt,
    CaMaterial? SigningCa,
    TrustBundle PublishedBundle,
    IReadOnlyList<string> Warnings)
{
    public bool HasUrgentActions => Actions.Any(a => a.Urgent);
}
