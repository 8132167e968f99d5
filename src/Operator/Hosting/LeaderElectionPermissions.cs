using GmsaOperator.Entities.Rbac;

namespace GmsaOperator.Operator.Hosting;

// NOT FINISHED: leader election arrives with the runtime issue; move this declaration onto it then.

/// <summary>API access of leader election: a Lease in the operator's namespace.</summary>
[RequiresPermission("coordination.k8s.io", "leases", "get", "create", "update", Scope = PermissionScope.OperatorNamespace)]
internal static class LeaderElectionPermissions;
