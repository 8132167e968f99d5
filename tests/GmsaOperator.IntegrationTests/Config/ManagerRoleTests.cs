using GmsaOperator.Entities.CredentialSpecs;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Config;

/// <summary>
/// The generated least-privilege ClusterRole is enough for what the reconcilers do — create a ClusterRole granting
/// `use` on a credential spec and a RoleBinding to it, which RBAC escalation checks guard — and no more.
/// </summary>
public sealed class ManagerRoleTests : IntegrationTest
{
    [Test]
    public async Task ManagerRoleMayGenerateUseRolesButNotEscalateBeyondThem()
    {
        var generated = KubernetesYaml.Deserialize<V1ClusterRole>(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Config("rbac"), "role.yaml")));
        var managerRole = $"{Namespace}-manager";
        var useRole = $"{Namespace}-use";
        var secretsRole = $"{Namespace}-secrets";
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "operator" } }, Namespace);
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = managerRole }, Rules = generated.Rules });
        await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = managerRole },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = managerRole },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "operator", NamespaceProperty = Namespace }],
        });
        string[] asOperator = ["--as", $"system:serviceaccount:{Namespace}:operator"];
        try
        {
            var useRoleYaml = $$"""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: {{useRole}}}
                rules:
                - apiGroups: [{{GmsaCredentialSpec.ApiGroup}}]
                  resources: [{{GmsaCredentialSpec.Plural}}]
                  verbs: [use]
                  resourceNames: [gmsa-webapp1]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: webapp1, namespace: {{Namespace}}}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {{useRole}}}
                subjects:
                - {kind: ServiceAccount, name: default, namespace: {{Namespace}}}
                """;
            // RBAC bindings reach the authorizer through its informer: allow a moment.
            await Eventually.HoldsAsync(async ct =>
            {
                var result = await Kubectl.RunAsync(["apply", "-f", "-", .. asOperator], useRoleYaml, ct);
                return result.ExitCode == 0 ? result : throw new InvalidOperationException(result.ToString());
            }, TimeSpan.FromSeconds(30), "the operator's role to create a use ClusterRole and a RoleBinding to it");

            var escalation = await Kubectl.RunAsync(["create", "clusterrole", secretsRole, "--verb=get", "--resource=secrets", .. asOperator]);
            Assert.That(escalation.ExitCode, Is.Not.Zero, "the operator must not be able to grant what it does not hold");
            Assert.That(escalation.Stderr, Does.Contain("attempting to grant RBAC permissions not currently held"), escalation.ToString());

            var readSecrets = await Kubectl.RunAsync(["auth", "can-i", "get", "secrets", "-n", Namespace, .. asOperator]);
            Assert.That(readSecrets.Stdout.Trim(), Is.EqualTo("no"), readSecrets.ToString());
        }
        finally
        {
            foreach (var name in new[] { managerRole, useRole, secretsRole })
            {
                await Kubectl.RunAsync(["delete", "clusterrole", name, "--ignore-not-found"]);
            }
            await Kubectl.RunAsync(["delete", "clusterrolebinding", managerRole, "--ignore-not-found"]);
        }
    }
}
