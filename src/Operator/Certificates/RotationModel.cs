using System.Security.Cryptography.X509Certificates;
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

/// <summary>
/// A write the planner wants, as an intent: it names what to write, never new key material (the executor creates keys
/// only for the intents it carries out). <see cref="Urgent"/> ones are done by any replica, the others by the leader.
/// </summary>
public abstract record CertificateAction(string Reason, bool Urgent);

/// <summary>
/// Create (ResourceVersion null) or replace (with the observed ResourceVersion) the CA Secret. Later intents of the same
/// plan (caBundles, leaf) build on the CA and bundle this write publishes.
/// </summary>
public abstract record CaSecretAction(string? ResourceVersion, string Reason, bool Urgent) : CertificateAction(Reason, Urgent)
{
    public abstract CaChange Change { get; }
}

/// <summary>
/// A new CA (key created by the executor) published with the still-valid CAs in <see cref="AlsoTrusted"/>: the first
/// one, or the replacement of an unusable Secret with nothing to restore.
/// </summary>
public sealed record CreateCa(IReadOnlyList<X509Certificate2> AlsoTrusted, long Generation, bool ReplacesUnusable, string? ResourceVersion, string Reason, bool Urgent)
    : CaSecretAction(ResourceVersion, Reason, Urgent)
{
    public override CaChange Change => ReplacesUnusable ? CaChange.Replaced : CaChange.Created;
}

/// <summary>CA N+1 (key created by the executor) staged next to <see cref="Current"/>, which keeps signing until N+1 is trusted everywhere.</summary>
public sealed record RotateCa(CaMaterial Current, string? ResourceVersion, string Reason, bool Urgent) : CaSecretAction(ResourceVersion, Reason, Urgent)
{
    public override CaChange Change => CaChange.Rotated;
}

/// <summary>The deleted or broken CA Secret rewritten from this process's last good CA: no trust change.</summary>
public sealed record RestoreCa(CaMaterial LastGood, string? ResourceVersion, string Reason, bool Urgent) : CaSecretAction(ResourceVersion, Reason, Urgent)
{
    public override CaChange Change => CaChange.Restored;
}

/// <summary>The same CA with its bundle repaired (expired or foreign entries pruned, signing CA re-added).</summary>
public sealed record RepairBundle(CaMaterial Repaired, string? ResourceVersion, string Reason, bool Urgent) : CaSecretAction(ResourceVersion, Reason, Urgent)
{
    public override CaChange Change => CaChange.BundleRepaired;
}

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

/// <summary>A leaf (key created by the executor) issued by the plan's signing CA into the serving Secret (create or replace).</summary>
public sealed record IssueLeaf(LeafChange Change, string? ResourceVersion, string Reason, bool Urgent) : CertificateAction(Reason, Urgent);

/// <summary>The deleted or broken serving Secret rewritten from this process's last good leaf.</summary>
public sealed record RestoreLeaf(LeafMaterial LastGood, string? ResourceVersion, string Reason, bool Urgent) : CertificateAction(Reason, Urgent);

/// <summary>Server-side apply of the published bundle (after this plan's CA write, if any) into every listed webhook entry of one configuration.</summary>
public sealed record InjectCaBundle(WebhookConfigurationKind Kind, string Name, IReadOnlyList<string> WebhookNames, string Reason, bool Urgent)
    : CertificateAction(Reason, Urgent)
{
    /// <summary>Identifies the configuration (tamper bookkeeping, metrics).</summary>
    public string Key => $"{Kind}/{Name}";
}

/// <summary>
/// The planner's answer: intents in execution order (CA Secret, caBundles, serving Secret), when to look again if
/// nothing happens, and conditions to report. <see cref="SigningCa"/> and <see cref="PublishedBundle"/> are what the
/// plan's CA write leaves in place; when it creates a CA (<see cref="CreatesCa"/>) they are the part known before the
/// key exists: no signing CA yet, and the bundle without the new CA.
/// </summary>
public sealed record RotationPlan(
    IReadOnlyList<CertificateAction> Actions,
    DateTimeOffset NextCheckAt,
    CaMaterial? SigningCa,
    TrustBundle PublishedBundle,
    IReadOnlyList<string> Warnings)
{
    public bool HasUrgentActions => Actions.Any(a => a.Urgent);

    public bool CreatesCa => Actions.Any(a => a is CreateCa or RotateCa);
}
