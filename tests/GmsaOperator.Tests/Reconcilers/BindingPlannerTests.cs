using GmsaOperator.Operator.Reconcilers;
using GmsaOperator.Runtime.Writes;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class BindingPlannerTests
{
    private static readonly BindingIdentity Binding = new("gmsa.dev/v1alpha1", "GmsaBinding", "apps", "webapp", "uid-1");

    private const string RoleBindingName = "gmsa-operator:webapp";
    private const string ClusterRoleName = "gmsa-operator:use:gmsa-webapp1";

    private static ChildOwnership At(string name, OwnershipState state) => state == OwnershipState.Missing
        ? ChildOwnership.Missing(name)
        : new(state, name, new OwnerIdentity("gmsa.dev", "GmsaBinding", "webapp", "uid-old"), new Precondition($"{name}-uid", "5"), "it has no controller ownerReference");

    private static BindingObservation Observe(
        bool credspec = true,
        OwnershipState clusterRole = OwnershipState.Owned,
        OwnershipState roleBinding = OwnershipState.Missing,
        string? roleRef = null,
        string[]? existingAccounts = null,
        ChildOwnership? legacy = null) =>
        new(Binding, "gmsa-webapp1", ["default", "web"], credspec, At(ClusterRoleName, clusterRole), At(RoleBindingName, roleBinding), roleRef,
            new HashSet<string>(existingAccounts ?? ["default", "web"]), legacy);

    [Test]
    public void BoundWhenEverythingExists()
    {
        var plan = BindingPlanner.Plan(Observe());

        Assert.That(plan.Ready.Status, Is.EqualTo("True"));
        Assert.That(plan.Ready.Reason, Is.EqualTo("Bound"));
        Assert.That(plan.Deletions, Is.Empty);
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
        var plan = BindingPlanner.Plan(Observe(credspec: false, roleBinding: OwnershipState.Owned, roleRef: "gmsa-operator:use:gmsa-webapp1"));

        Assert.That(plan.Apply, Is.Null);
        Assert.That(plan.Deletions.Single().Child.Name, Is.EqualTo(RoleBindingName));
        Assert.That(plan.Deletions.Single().OnlyIfDangling, Is.False, "ours by UID");
        Assert.That(plan.Ready.Status, Is.EqualTo("False"));
        Assert.That(plan.Ready.Reason, Is.EqualTo("CredentialSpecNotFound"));
        Assert.That(plan.Ready.Message, Does.Contain("\"gmsa-webapp1\" does not exist"));
    }

    [Test]
    public void ForeignRoleBindingWithOurName_IsNeverTouched_AndReportedAsConflict([Values] bool credspec)
    {
        var plan = BindingPlanner.Plan(Observe(credspec: credspec, roleBinding: OwnershipState.Foreign));

        Assert.That(plan.Apply, Is.Null);
        Assert.That(plan.Deletions, Is.Empty, "neither written nor deleted, whatever else is wrong");
        Assert.That(plan.Ready.Status, Is.EqualTo("False"));
        Assert.That(plan.Ready.Reason, Is.EqualTo("Conflict"));
        Assert.That(plan.Ready.Message, Does.Contain("RoleBinding apps/gmsa-operator:webapp").And.Contain("it has no controller ownerReference"));
    }

    [Test]
    public void PredecessorsRoleBinding_IsDeletedOnceConfirmedDangling_AndOursCreated_NeverAdopted()
    {
        var plan = BindingPlanner.Plan(Observe(roleBinding: OwnershipState.Predecessor, roleRef: ClusterRoleName));

        var deletion = plan.Deletions.Single();
        Assert.That(deletion.Child.Name, Is.EqualTo(RoleBindingName));
        Assert.That(deletion.OnlyIfDangling, Is.True);
        Assert.That(plan.DeletesRoleBinding, Is.True, "created anew, not applied onto the old object");
        Assert.That(plan.Apply!.Metadata.OwnerReferences.Single().Uid, Is.EqualTo("uid-1"));
        Assert.That(plan.Ready.Reason, Is.EqualTo("Bound"));

        var noSpec = BindingPlanner.Plan(Observe(credspec: false, roleBinding: OwnershipState.Predecessor));
        Assert.That(noSpec.Deletions.Single().OnlyIfDangling, Is.True);
        Assert.That(noSpec.Apply, Is.Null);
    }

    [Test]
    public void OursUnderTheOldLongName_IsDeletedInEveryOutcome()
    {
        var legacy = new ChildOwnership(OwnershipState.Owned, "gmsa-operator:old-0123456789", null, new Precondition("l", "1"));
        foreach (var observation in new[] { Observe(legacy: legacy), Observe(roleBinding: OwnershipState.Foreign, legacy: legacy), Observe(credspec: false, legacy: legacy) })
        {
            Assert.That(BindingPlanner.Plan(observation).Deletions, Has.Some.EqualTo(new ChildDeletion(legacy, false)));
        }
        var notOurs = legacy with { State = OwnershipState.Foreign };
        Assert.That(BindingPlanner.Plan(Observe(legacy: notOurs)).Deletions, Is.Empty);
    }

    [Test]
    public void PredecessorsClusterRole_IsNotBoundTo()
    {
        var plan = BindingPlanner.Plan(Observe(clusterRole: OwnershipState.Predecessor, roleBinding: OwnershipState.Owned));

        Assert.That(plan.Apply, Is.Null);
        Assert.That(plan.Ready.Reason, Is.EqualTo("ClusterRolePending"));
        Assert.That(plan.DeletesRoleBinding, Is.True, "ours must not point at rules an earlier credential spec (or a forger) left");
    }

    [Test]
    public void ForeignClusterRoleWithOurName_IsNotBoundTo()
    {
        var plan = BindingPlanner.Plan(Observe(clusterRole: OwnershipState.Foreign, roleBinding: OwnershipState.Owned));

        Assert.That(plan.Apply, Is.Null);
        Assert.That(plan.DeletesRoleBinding, Is.True, "our RoleBinding must not keep pointing at a role someone else controls");
        Assert.That(plan.Ready.Reason, Is.EqualTo("Conflict"));
        Assert.That(plan.Ready.Message, Does.Contain("ClusterRole gmsa-operator:use:gmsa-webapp1"));
    }

    [Test]
    public void ClusterRoleNotYetGenerated_AppliesButIsNotReady()
    {
        var plan = BindingPlanner.Plan(Observe(clusterRole: OwnershipState.Missing));

        Assert.That(plan.Apply, Is.Not.Null);
        Assert.That(plan.Ready.Status, Is.EqualTo("False"));
        Assert.That(plan.Ready.Reason, Is.EqualTo("ClusterRolePending"));
    }

    [Test]
    public void ChangedCredentialSpec_RecreatesTheRoleBinding_BecauseRoleRefIsImmutable()
    {
        var plan = BindingPlanner.Plan(Observe(roleBinding: OwnershipState.Owned, roleRef: "gmsa-operator:use:old-spec"));

        Assert.That(plan.DeletesRoleBinding, Is.True);
        Assert.That(plan.Apply!.RoleRef.Name, Is.EqualTo("gmsa-operator:use:gmsa-webapp1"));
    }

    [Test]
    public void SameRoleRef_IsAppliedInPlace()
    {
        var plan = BindingPlanner.Plan(Observe(roleBinding: OwnershipState.Owned, roleRef: "gmsa-operator:use:gmsa-webapp1"));
        Assert.That(plan.Deletions, Is.Empty);
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
