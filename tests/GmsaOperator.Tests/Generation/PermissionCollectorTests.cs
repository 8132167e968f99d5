using GmsaOperator.Entities.Deployment;
using GmsaOperator.Entities.Rbac;
using GmsaOperator.Operator.Generation;
using k8s.Models;

namespace GmsaOperator.Tests.Generation;

/// <summary>Permission declarations become least-privilege PolicyRules.</summary>
public sealed class PermissionCollectorTests
{
    private static readonly IReadOnlyList<RequiresPermissionAttribute> Declared = PermissionCollector.Declarations(PermissionCollector.OperatorAssemblies);

    private static IEnumerable<string> Verbs(IEnumerable<V1PolicyRule> rules, string group, string resource) =>
        rules.Where(r => r.ApiGroups.Contains(group) && r.Resources.Contains(resource)).SelectMany(r => r.Verbs);

    [Test]
    public void VerbsAreUnionedAndResourcesWithEqualVerbsShareARule()
    {
        RequiresPermissionAttribute[] declarations =
        [
            new("", "pods", "get", "list"),
            new("", "pods", "watch", "get"),
            new("", "services", "get", "list", "watch"),
            new("", "secrets", "get") { ResourceNames = ["b", "a"] },
            new("", "configmaps", "get") { Scope = PermissionScope.OperatorNamespace },
        ];

        var rules = PermissionCollector.Rules(declarations, PermissionScope.Cluster);

        Assert.That(rules, Has.Count.EqualTo(2));
        Assert.That(rules[0].Resources, Is.EqualTo(new[] { "pods", "services" }));
        Assert.That(rules[0].Verbs, Is.EqualTo(new[] { "get", "list", "watch" }));
        Assert.That(rules[1].Resources, Is.EqualTo(new[] { "secrets" }));
        Assert.That(rules[1].ResourceNames, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void ClusterRoleHasNoWildcardsAndNoSecrets()
    {
        var rules = PermissionCollector.Rules(Declared, PermissionScope.Cluster);
        Assert.That(rules.SelectMany(r => r.Verbs.Concat(r.Resources).Concat(r.ApiGroups)), Has.None.EqualTo("*"));
        Assert.That(rules.SelectMany(r => r.Resources), Has.None.EqualTo("secrets"));
    }

    [Test]
    public void ReconcilersMayGrantUseWithoutEscalateOrBind()
    {
        var rules = PermissionCollector.Rules(Declared, PermissionScope.Cluster);
        Assert.That(Verbs(rules, "windows.k8s.io", "gmsacredentialspecs"), Is.SupersetOf(new[] { "get", "list", "watch", "use" }));
        Assert.That(Verbs(rules, "rbac.authorization.k8s.io", "clusterroles"), Is.SupersetOf(new[] { "create", "update", "patch", "delete" }));
        Assert.That(Verbs(rules, "rbac.authorization.k8s.io", "clusterroles"), Has.None.EqualTo("escalate").And.None.EqualTo("bind"));
        Assert.That(Verbs(rules, "gmsa.dev", "gmsabindings/status"), Is.SupersetOf(new[] { "update", "patch" }));
        Assert.That(Verbs(rules, "authorization.k8s.io", "localsubjectaccessreviews"), Is.EqualTo(new[] { "create" }));
    }

    [Test]
    public void WebhookConfigurationsAndSecretsAreRestrictedByName()
    {
        var cluster = PermissionCollector.Rules(Declared, PermissionScope.Cluster);
        var webhookRule = cluster.Single(r => r.Resources.Contains("mutatingwebhookconfigurations"));
        Assert.That(webhookRule.ResourceNames, Is.EqualTo(new[] { OperatorDeployment.WebhookConfigurationName }));

        var own = PermissionCollector.Rules(Declared, PermissionScope.OperatorNamespace);
        var secretRules = own.Where(r => r.Resources.Contains("secrets")).ToList();
        Assert.That(secretRules.Single(r => r.ResourceNames is null).Verbs, Is.EqualTo(new[] { "create" }));
        Assert.That(secretRules.Single(r => r.ResourceNames is not null).ResourceNames,
            Is.EquivalentTo(new[] { OperatorDeployment.CaSecretName, OperatorDeployment.ServingSecretName }));
        Assert.That(own.SelectMany(r => r.Resources), Does.Contain("leases"));
    }
}
