using GmsaOperator.Entities.Rbac;

namespace GmsaOperator.Operator.Reconcilers;

// NOT FINISHED: the reconcilers arrive with the reconcilers issue; move these declarations onto the reconciler classes
// (CredentialSpec → ClusterRole, GmsaBinding → RoleBinding) when they land.

/// <summary>API access of the credential-spec and GmsaBinding reconcilers.</summary>
[RequiresPermission("rbac.authorization.k8s.io", "clusterroles", "get", "list", "watch", "create", "update", "patch", "delete",
    Reason = "one ClusterRole granting use per GMSACredentialSpec")]
[RequiresPermission("rbac.authorization.k8s.io", "rolebindings", "get", "list", "watch", "create", "update", "patch", "delete",
    Reason = "one RoleBinding per GmsaBinding")]
// RBAC escalation checks: creating a ClusterRole that grants `use`, and a RoleBinding to it, is allowed only to
// someone who holds that permission (or `escalate`/`bind`). Holding `use` on credential specs is far narrower than
// `escalate` (any role) or an unrestricted `bind`; the operator's own pods never use a GMSA identity.
[RequiresPermission("windows.k8s.io", "gmsacredentialspecs", "get", "list", "watch", "use")]
[RequiresPermission("windows.k8s.io", "gmsacredentialspecs/finalizers", "update",
    Reason = "owner references with blockOwnerDeletion (OwnerReferencesPermissionEnforcement)")]
[RequiresPermission("gmsa.dev", "gmsabindings", "get", "list", "watch")]
[RequiresPermission("gmsa.dev", "gmsabindings/status", "get", "update", "patch")]
[RequiresPermission("gmsa.dev", "gmsabindings/finalizers", "update",
    Reason = "owner references with blockOwnerDeletion (OwnerReferencesPermissionEnforcement)")]
[RequiresPermission("", "serviceaccounts", "list", "watch", Reason = "report listed service accounts that do not exist")]
[RequiresPermission("events.k8s.io", "events", "create", "patch", Reason = "events on GmsaBindings in every namespace")]
internal static class ReconcilerPermissions;
