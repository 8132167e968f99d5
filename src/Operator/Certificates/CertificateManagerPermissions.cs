using GmsaOperator.Entities.Deployment;
using GmsaOperator.Entities.Rbac;

namespace GmsaOperator.Operator.Certificates;

// NOT FINISHED: the certificate manager arrives with the webhook TLS issue; move these declarations onto it then.

/// <summary>API access of the webhook certificate manager: its two Secrets and the caBundle of our two webhook configurations.</summary>
[RequiresPermission("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get", "list", "watch", "patch",
    ResourceNames = [OperatorDeployment.WebhookConfigurationName], Reason = "caBundle injection (list/watch with a metadata.name field selector)")]
[RequiresPermission("admissionregistration.k8s.io", "validatingwebhookconfigurations", "get", "list", "watch", "patch",
    ResourceNames = [OperatorDeployment.WebhookConfigurationName], Reason = "caBundle injection (list/watch with a metadata.name field selector)")]
[RequiresPermission("", "secrets", "create", Scope = PermissionScope.OperatorNamespace, Reason = "create cannot be restricted by name")]
[RequiresPermission("", "secrets", "get", "list", "watch", "update", Scope = PermissionScope.OperatorNamespace,
    ResourceNames = [OperatorDeployment.CaSecretName, OperatorDeployment.ServingSecretName])]
[RequiresPermission("events.k8s.io", "events", "create", "patch", Scope = PermissionScope.OperatorNamespace)]
internal static class CertificateManagerPermissions;
