using GmsaOperator.Entities.Rbac;

namespace GmsaOperator.Webhooks;

// NOT FINISHED: the admission handlers arrive with the webhooks issue; move these declarations onto them then.

/// <summary>API access of the admission webhooks.</summary>
[RequiresPermission("authorization.k8s.io", "localsubjectaccessreviews", "create", Reason = "may the pod's service account use the credential spec")]
[RequiresPermission("authorization.k8s.io", "subjectaccessreviews", "create", Reason = "may the GmsaBinding's author use the credential spec")]
[RequiresPermission("windows.k8s.io", "gmsacredentialspecs", "get", "list", "watch", Reason = "credential spec cache with live GET fallback")]
[RequiresPermission("", "serviceaccounts", "get", "list", "watch", Reason = "warn about listed service accounts that do not exist")]
internal static class WebhookPermissions;
