using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Entities.Rbac;
using k8s.Models;

namespace GmsaOperator.Operator.Generation;

/// <summary>
/// <c>config/rbac</c>: the operator's ServiceAccount; a ClusterRole and a Role (own namespace) holding exactly the
/// permissions its components declare; their bindings; aggregated roles that let namespace admins, editors and
/// viewers work with GmsaBindings; and the metrics-reader ClusterRole for scrapers of /metrics.
/// </summary>
public static class RbacManifests
{
    private const string ServiceAccountName = OperatorDeployment.ManagerBaseName;
    private const string RbacGroup = "rbac.authorization.k8s.io";

    public static IEnumerable<GeneratedFile> Files()
    {
        var declarations = PermissionCollector.Declarations(PermissionCollector.OperatorAssemblies);
        var files = new List<GeneratedFile>
        {
            GeneratedFile.Yaml("rbac/service_account.yaml", new V1ServiceAccount
            {
                ApiVersion = "v1",
                Kind = "ServiceAccount",
                Metadata = new V1ObjectMeta { Name = ServiceAccountName, NamespaceProperty = OperatorDeployment.Namespace },
            }),
            GeneratedFile.Yaml("rbac/role.yaml", new V1ClusterRole
            {
                ApiVersion = $"{RbacGroup}/v1",
                Kind = "ClusterRole",
                Metadata = new V1ObjectMeta { Name = "manager-role" },
                Rules = [.. PermissionCollector.Rules(declarations, PermissionScope.Cluster)],
            }),
            GeneratedFile.Yaml("rbac/role_binding.yaml", new V1ClusterRoleBinding
            {
                ApiVersion = $"{RbacGroup}/v1",
                Kind = "ClusterRoleBinding",
                Metadata = new V1ObjectMeta { Name = "manager-rolebinding" },
                RoleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = "ClusterRole", Name = "manager-role" },
                Subjects = [ServiceAccountSubject()],
            }),
            GeneratedFile.Yaml("rbac/namespace_role.yaml", new V1Role
            {
                ApiVersion = $"{RbacGroup}/v1",
                Kind = "Role",
                Metadata = new V1ObjectMeta { Name = "manager-namespace-role", NamespaceProperty = OperatorDeployment.Namespace },
                Rules = [.. PermissionCollector.Rules(declarations, PermissionScope.OperatorNamespace)],
            }),
            GeneratedFile.Yaml("rbac/namespace_role_binding.yaml", new V1RoleBinding
            {
                ApiVersion = $"{RbacGroup}/v1",
                Kind = "RoleBinding",
                Metadata = new V1ObjectMeta { Name = "manager-namespace-rolebinding", NamespaceProperty = OperatorDeployment.Namespace },
                RoleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = "Role", Name = "manager-namespace-role" },
                Subjects = [ServiceAccountSubject()],
            }),
            // Creating a GmsaBinding is safe to delegate: the binding webhook requires its author to hold `use`.
            GeneratedFile.Yaml("rbac/gmsabinding_editor_role.yaml", AggregatedRole("gmsabinding-editor-role",
                ["create", "delete", "get", "list", "patch", "update", "watch"], "aggregate-to-admin", "aggregate-to-edit")),
            GeneratedFile.Yaml("rbac/gmsabinding_viewer_role.yaml", AggregatedRole("gmsabinding-viewer-role",
                ["get", "list", "watch"], "aggregate-to-view")),
            // Bind it to the scraper's ServiceAccount: the metrics port asks the API server whether the caller may get /metrics.
            GeneratedFile.Yaml("rbac/metrics_reader_role.yaml", new V1ClusterRole
            {
                ApiVersion = $"{RbacGroup}/v1",
                Kind = "ClusterRole",
                Metadata = new V1ObjectMeta { Name = OperatorDeployment.MetricsReaderRoleBaseName },
                Rules = [new V1PolicyRule { NonResourceURLs = ["/metrics"], Verbs = ["get"] }],
            }),
        };
        return [.. files, Kustomization.File("rbac", files.Select(f => f.Path["rbac/".Length..]))];
    }

    private static V1ClusterRole AggregatedRole(string name, IList<string> verbs, params string[] aggregateTo) => new()
    {
        ApiVersion = $"{RbacGroup}/v1",
        Kind = "ClusterRole",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = aggregateTo.ToDictionary(a => $"rbac.authorization.k8s.io/{a}", _ => "true"),
        },
        Rules =
        [
            new V1PolicyRule { ApiGroups = [GmsaBinding.ApiGroup], Resources = [GmsaBinding.Plural], Verbs = verbs },
            new V1PolicyRule { ApiGroups = [GmsaBinding.ApiGroup], Resources = [$"{GmsaBinding.Plural}/status"], Verbs = ["get"] },
        ],
    };

    private static Rbacv1Subject ServiceAccountSubject() =>
        new() { Kind = "ServiceAccount", Name = ServiceAccountName, NamespaceProperty = OperatorDeployment.Namespace };
}
