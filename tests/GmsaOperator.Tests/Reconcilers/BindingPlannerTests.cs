using GmsaOperator.Operator.Reconcilers;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class BindingPlannerTests
{
    private static readonly BindingIdentity Binding = new("gmsa.dev/v1alpha1", "GmsaBinding", "apps", "webapp", "uid-1");

    private static BindingObservation Observe(
        bool credspec = true,
        GeneratedObjectState clusterRole = GeneratedObjectState.Managed,
        GeneratedObjectState roleBinding = GeneratedObjectState.Missing,
        string? roleRef = null,
        string[]? existingAccounts = null) =>
        new(Binding, "gmsa-webapp1", ["default", "web"], credspec, clusterRole, roleBinding, roleRef,
            new HashSet<string>(existingAccounts ?? ["default", "web"]));

    [Test]
    public void BoundWhenEverythingExists()
    {
        var plan = BindingPlanner.Plan(Observe());

        Assert.That(plan.Ready.Status, Is.EqualTo("True"));
        Assert.That(plan.Ready.Reason, Is.EqualTo("Bound"));
        Assert.That(plan.DeleteRoleBinding, Is.False);
        var rb = plan.Apply!;
        Assert.That(rb.Metadata.Name, Is.EqualTo("gmsa-operator:webapp"));
        Assert.That(rb.Metadata.NamespaceProperty, Is.EqualTo("apps"));
        Assert.That(rb.RoleRef.Name, Is.EqualTo("gmsa-operator:use:gmsa-webapp1"));
        Assert.That(rb.Subjects.Select(s => $"{s.Kind}:{s.NamespaceProperty}/{s.Name}"),
            Is.EqualTo(new[] { "ServiceAccount:apps/default", "ServiceAccount:apps/web" }));
        Assert.That(rb.Metadata.OwnerReferences.Single().Uid, Is.EqualTo("uid-1"));
        Assert.That(rb.Metadata.OwnerReferences.Single().Controller, Is.True);
        Assert.That(ManagedLabels.IsManaged(rb.Metadata.Labels), Is.True);
        Assert.That(plan.ServiceAccountsFound.Status, Is.EqualTo("True"));
    }

    [Test]
    public void CredentialSpecMissing_NoRoleBinding_AndOursIsRemoved()
    {
        var plan = BindingPlanner.Plan(Observe(credspec: false, roleBinding: GeneratedObjectState.Managed, roleRef: "gmsa-operator:use:gmsa-webapp1"));

        Assert.That(plan.Apply, Is.Null);
        Assert.That(plan.DeleteRoleBinding, Is.True);
        Assert.That(plan.Ready.Status, Is.EqualTo("False"));
        Assert.That(plan.Ready.Reason, Is.EqualTo("CredentialSpecNotFound"));
        Assert.That(plan.Ready.Message, Does.Contain("\"gmsa-webapp1\" does not exist"));
    }

    [Test]
    public void UnmanagedRoleBindingWithOurName_IsNeverTouched_AndReportedAsConflict()
    {
        var plan = BindingPlanner.Plan(Observe(roleBinding: GeneratedObjectState.Unmanaged));

        Assert.That(plan.Apply, Is.Null);
        Assert.That(plan.DeleteRoleBinding, Is.False);
        Assert.That(plan.Ready.Reason, Is.EqualTo("Conflict"));
        Assert.That(plan.Ready.Message, Does.Contain("RoleBinding apps/gmsa-operator:webapp"));
    }

    [Test]
    public void UnmanagedClusterRoleWithOurName_IsNotBoundTo()
    {
        var plan = BindingPlanner.Plan(Observe(clusterRole: GeneratedObjectState.Unmanaged, roleBinding: GeneratedObjectState.Managed));

        Assert.That(plan.Apply, Is.Null);
        Assert.That(plan.DeleteRoleBinding, Is.True, "our RoleBinding must not keep pointing at a role someone else controls");
        Assert.That(plan.Ready.Reason, Is.EqualTo("Conflict"));
        Assert.That(plan.Ready.Message, Does.Contain("ClusterRole gmsa-operator:use:gmsa-webapp1"));
    }

    [Test]
    public void ClusterRoleNotYetGenerated_AppliesButIsNotReady()
    {
        var plan = BindingPlanner.Plan(Observe(clusterRole: GeneratedObjectState.Missing));

        Assert.That(plan.Apply, Is.Not.Null);
        Assert.That(plan.Ready.Status, Is.EqualTo("False"));
        Assert.That(plan.Ready.Reason, Is.EqualTo("ClusterRolePending"));
    }

    [Test]
    public void ChangedCredentialSpec_RecreatesTheRoleBinding_BecauseRoleRefIsImmutable()
    {
        var plan = BindingPlanner.Plan(Observe(roleBinding: GeneratedObjectState.Managed, roleRef: "gmsa-operator:use:old-spec"));

        Assert.That(plan.DeleteRoleBinding, Is.True);
        Assert.That(plan.Apply!.RoleRef.Name, Is.EqualTo("gmsa-operator:use:gmsa-webapp1"));
    }

    [Test]
    public void SameRoleRef_IsAppliedInPlace()
    {
        var plan = BindingPlanner.Plan(Observe(roleBinding: GeneratedObjectState.Managed, roleRef: "gmsa-operator:use:gmsa-webapp1"));
        Assert.That(plan.DeleteRoleBinding, Is.False);
    }

    [Test]
    public void MissingServiceAccounts_AreNamed_ButTheBindingStillApplies()
    {
        var plan = BindingPlanner.Plan(Observe(existingAccounts: ["default"]));

        Assert.That(plan.Apply, Is.Not.Null);
        Assert.That(plan.Ready.Status, Is.EqualTo("True"));
        Assert.That(plan.ServiceAccountsFound.Status, Is.EqualTo("False"));
        Assert.That(plan.ServiceAccountsFound.Reason, Is.EqualTo("ServiceAccountsMissing"));
        Assert.That(plan.ServiceAccountsFound.Message, Does.Contain(": web."));
    }

    [Test]
    public void ClusterRoleGrantsUseOfExactlyOneCredentialSpec()
    {
        var role = DesiredRbac.ClusterRole("gmsa-webapp1", "cs-uid");

        var rule = role.Rules.Single();
        Assert.That(rule.ApiGroups, Is.EqualTo(new[] { "windows.k8s.io" }));
        Assert.That(rule.Resources, Is.EqualTo(new[] { "gmsacredentialspecs" }));
        Assert.That(rule.Verbs, Is.EqualTo(new[] { "use" }));
        Assert.That(rule.ResourceNames, Is.EqualTo(new[] { "gmsa-webapp1" }));
        Assert.That(role.Metadata.OwnerReferences.Single().Kind, Is.EqualTo("GMSACredentialSpec"));
        Assert.That(role.Metadata.Labels[ManagedLabels.CredentialSpec], Is.EqualTo("gmsa-webapp1"));
    }
}
