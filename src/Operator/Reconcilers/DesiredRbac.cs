using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>Builds the RBAC objects the operator applies (server-side apply bodies: only the fields we own).</summary>
public static class DesiredRbac
{
    public const string CredentialSpecApiGroup = "windows.k8s.io";
    public const string CredentialSpecResource = "gmsacredentialspecs";
    public const string UseVerb = "use";
    private const string RbacGroup = "rbac.authorization.k8s.io";

    /// <summary>One ClusterRole per credential spec: <c>use</c> on exactly that object, owned by it for garbage collection.</summary>
    public static V1ClusterRole ClusterRole(string credentialSpecName, string credentialSpecUid) => new()
    {
        ApiVersion = $"{RbacGroup}/v1",
        Kind = "ClusterRole",
        Metadata = new V1ObjectMeta
        {
            Name = GeneratedNames.ClusterRoleFor(credentialSpecName),
            Labels = new Dictionary<string, string>
            {
                [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
                [ManagedLabels.CredentialSpec] = GeneratedNames.LabelValue(credentialSpecName),
            },
            OwnerReferences =
            [
                new V1OwnerReference
                {
                    ApiVersion = $"{CredentialSpecApiGroup}/v1", Kind = "GMSACredentialSpec",
                    Name = credentialSpecName, Uid = credentialSpecUid, Controller = true,
                },
            ],
        },
        Rules =
        [
            new V1PolicyRule
            {
                ApiGroups = [CredentialSpecApiGroup], Resources = [CredentialSpecResource], Verbs = [UseVerb],
                ResourceNames = [credentialSpecName],
            },
        ],
    };

    /// <summary>The RoleBinding of one GmsaBinding: its service accounts → the credential spec's ClusterRole.</summary>
    public static V1RoleBinding RoleBinding(BindingIdentity binding, string credentialSpecName, IEnumerable<string> serviceAccounts) => new()
    {
        ApiVersion = $"{RbacGroup}/v1",
        Kind = "RoleBinding",
        Metadata = new V1ObjectMeta
        {
            Name = GeneratedNames.RoleBindingFor(binding.Name),
            NamespaceProperty = binding.Namespace,
            Labels = new Dictionary<string, string>
            {
                [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue,
                [ManagedLabels.Binding] = GeneratedNames.LabelValue(binding.Name),
                [ManagedLabels.CredentialSpec] = GeneratedNames.LabelValue(credentialSpecName),
            },
            OwnerReferences =
            [
                new V1OwnerReference
                {
                    ApiVersion = binding.ApiVersion, Kind = binding.Kind, Name = binding.Name, Uid = binding.Uid, Controller = true,
                },
            ],
        },
        RoleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = "ClusterRole", Name = GeneratedNames.ClusterRoleFor(credentialSpecName) },
        Subjects = serviceAccounts.Distinct(StringComparer.Ordinal)
            .Select(sa => new Rbacv1Subject { Kind = "ServiceAccount", Name = sa, NamespaceProperty = binding.Namespace })
            .ToList(),
    };
}

/// <summary>Who a generated RoleBinding belongs to.</summary>
public sealed record BindingIdentity(string ApiVersion, string Kind, string Namespace, string Name, string Uid);
