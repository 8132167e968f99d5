using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Webhooks.Admission;

namespace GmsaOperator.Operator.Cli.Doctor;

// Everything the doctor decides on, gathered from the API (and one TLS handshake) by DoctorInputCollector.
// Plain data, so DoctorChecks is pure and unit-testable.

/// <summary>A CRD as found on the cluster: which versions are served (null when the CRD is absent).</summary>
public sealed record CrdState(string Name, IReadOnlyList<string>? ServedVersions);

/// <summary>The leader-election Lease of the operator (null fields when absent).</summary>
public sealed record LeaseState(string Namespace, string Name, bool Exists, string? Holder, DateTimeOffset? RenewTime, int? LeaseDurationSeconds);

/// <summary>One webhook of a Mutating/ValidatingWebhookConfiguration: where it points and its caBundle.</summary>
public sealed record WebhookState(string Name, string? Url, string? Service, byte[]? CaBundle);

/// <summary>A webhook configuration (null <see cref="Webhooks"/> when it does not exist).</summary>
public sealed record WebhookConfigurationState(string Kind, string Name, IReadOnlyList<WebhookState>? Webhooks);

/// <summary>The certificate a url-based webhook served (or why none could be fetched).</summary>
public sealed record ServedCertificate(string Url, X509Certificate2? Certificate, string? Error);

/// <summary>A GMSACredentialSpec: its name and canonical credspec JSON (null when it has none), plus its DNS domain.</summary>
public sealed record CredentialSpecState(string Name, string? CanonicalCredspec, string? DnsName);

/// <summary>A GmsaBinding of the target namespace; <see cref="Pods"/> is its pod tracking (null when it does not track pods).</summary>
public sealed record BindingState(string Name, string CredentialSpecName, IReadOnlyList<string> ServiceAccounts, string? ReadyStatus, string? ReadyReason,
    GmsaOperator.Entities.Bindings.SecureChannelRepairSpec? SecureChannelRepair = null, PodTrackingState? Pods = null);

/// <summary>A SubjectAccessReview answer: may the service account <c>use</c> the credential spec.</summary>
public sealed record AccessState(string ServiceAccount, string CredentialSpecName, bool Allowed, string Reason);

/// <summary>A Role or ClusterRole rule that grants <c>use</c> of named GMSACredentialSpecs (hand-written RBAC included).</summary>
public sealed record RbacGrant(string Kind, string Name, IReadOnlyList<string> ResourceNames);

/// <summary>A pod that should carry a GMSA: its blocks and the node it runs on.</summary>
/// <param name="Object">The admission view of the pod (containers' hooks, annotations), for the secure-channel repair check.</param>
public sealed record PodState(string Name, string ServiceAccount, IReadOnlyList<GmsaBlock> Blocks, string? NodeName, string? NodeOs, bool NodeExists,
    PodObject? Object = null);

/// <summary>What the doctor was asked about, resolved to names.</summary>
/// <param name="Description">E.g. <c>pod/web-0</c>; null when only the cluster-side setup is checked.</param>
/// <param name="CredentialSpecNames">Credspecs the target refers to (pod blocks, template, binding).</param>
/// <param name="ServiceAccounts">Service accounts that must be allowed to use them.</param>
public sealed record TargetState(string? Description, string Namespace, bool Found, IReadOnlyList<string> CredentialSpecNames,
    IReadOnlyList<string> ServiceAccounts, IReadOnlyList<PodState> Pods);

/// <summary>All inputs of one doctor run.</summary>
public sealed record DoctorInputs(
    DateTimeOffset Now,
    IReadOnlyList<CrdState> Crds,
    LeaseState Lease,
    IReadOnlyList<WebhookConfigurationState> WebhookConfigurations,
    IReadOnlyList<ServedCertificate> ServedCertificates,
    TargetState Target,
    IReadOnlyList<string> AllCredentialSpecNames,
    IReadOnlyList<CredentialSpecState> CredentialSpecs,
    IReadOnlyList<BindingState> Bindings,
    IReadOnlyList<AccessState> Access,
    IReadOnlyList<RbacGrant>? RbacGrants = null);
