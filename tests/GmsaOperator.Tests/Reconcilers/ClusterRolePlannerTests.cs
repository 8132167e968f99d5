using GmsaOperator.Operator.Reconcilers;
using GmsaOperator.Runtime.Writes;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class ClusterRolePlannerTests
{
    private const string Spec = "gmsa-webapp1";
    private static readonly string Name = GeneratedNames.ClusterRoleFor(Spec);

    private static ChildOwnership At(OwnershipState state, string? name = null) =>
        new(state, name ?? Name, new OwnerIdentity("windows.k8s.io", "GMSACredentialSpec", Spec, "old"), new Precondition("cr-uid", "7"), "because");

    [TestCase(OwnershipState.Missing)]
    [TestCase(OwnershipState.Owned)]
    public void MissingOrOurs_IsAppliedWithoutDeleting(OwnershipState state)
    {
        var plan = ClusterRolePlanner.Plan(Spec, "cs-uid", state == OwnershipState.Missing ? ChildOwnership.Missing(Name) : At(state), null);
        Assert.That(plan.Conflict, Is.Null);
        Assert.That(plan.Deletions, Is.Empty);
        Assert.That(plan.Apply!.Metadata.OwnerReferences.Single().Uid, Is.EqualTo("cs-uid"));
        Assert.That(plan.DeletesCurrent, Is.False);
    }

    [Test]
    public void Foreign_IsAConflict_NothingWritten()
    {
        var plan = ClusterRolePlanner.Plan(Spec, "cs-uid", At(OwnershipState.Foreign), null);
        Assert.That(plan.Apply, Is.Null);
        Assert.That(plan.Deletions, Is.Empty);
        Assert.That(plan.Conflict, Does.Contain($"ClusterRole {Name}").And.Contain("because"));
    }

    [Test]
    public void Predecessor_IsDeletedOnceConfirmedDangling_ThenOursIsCreated()
    {
        var plan = ClusterRolePlanner.Plan(Spec, "cs-uid", At(OwnershipState.Predecessor), null);
        Assert.That(plan.Deletions.Single().OnlyIfDangling, Is.True);
        Assert.That(plan.DeletesCurrent, Is.True);
        Assert.That(plan.Apply, Is.Not.Null);
    }

    [Test]
    public void OursUnderTheOldLongName_IsDeleted_AnotherOneIsNot()
    {
        var legacyName = "gmsa-operator:use:old-cut-0123456789";
        var owned = ClusterRolePlanner.Plan(Spec, "cs-uid", ChildOwnership.Missing(Name), At(OwnershipState.Owned, legacyName));
        Assert.That(owned.Deletions.Single(), Is.EqualTo(new ChildDeletion(At(OwnershipState.Owned, legacyName), false)));

        var foreign = ClusterRolePlanner.Plan(Spec, "cs-uid", At(OwnershipState.Foreign), At(OwnershipState.Foreign, legacyName));
        Assert.That(foreign.Deletions, Is.Empty);
    }
}
