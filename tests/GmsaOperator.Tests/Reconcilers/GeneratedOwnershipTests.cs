using GmsaOperator.Operator.Reconcilers;
using k8s.Models;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class GeneratedOwnershipTests
{
    private static readonly OwnerIdentity Binding = new("gmsa.dev", "GmsaBinding", "webapp", "uid-1");

    private static V1ObjectMeta Meta(bool labelled = true, params V1OwnerReference[] owners) => new()
    {
        Name = "gmsa-operator:webapp", Uid = "rb-uid", ResourceVersion = "42",
        Labels = labelled ? new Dictionary<string, string> { [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue } : null,
        OwnerReferences = owners,
    };

    private static V1OwnerReference Ref(string apiVersion = "gmsa.dev/v1alpha1", string kind = "GmsaBinding", string name = "webapp", string uid = "uid-1", bool controller = true) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = uid, Controller = controller };

    private static ChildOwnership Judge(V1ObjectMeta? meta, OwnerIdentity? owner = null) =>
        GeneratedOwnership.Classify("gmsa-operator:webapp", meta, owner ?? Binding);

    [Test]
    public void NothingThere_IsMissing() => Assert.That(Judge(null).State, Is.EqualTo(OwnershipState.Missing));

    [Test]
    public void ControllerReferenceToTheVeryOwner_IsOwned_AndPinsTheObjectJudged()
    {
        var child = Judge(Meta(owners: Ref()));
        Assert.That(child.State, Is.EqualTo(OwnershipState.Owned));
        Assert.That(child.Guard, Is.EqualTo(new GmsaOperator.Runtime.Writes.Precondition("rb-uid", "42")));
    }

    [Test]
    public void TheLabelIsNeitherNeededNorEnough()
    {
        Assert.That(Judge(Meta(labelled: false, Ref())).State, Is.EqualTo(OwnershipState.Owned), "the UID is the proof; the apply restores the label");

        var labelledOnly = Judge(Meta());
        Assert.That(labelledOnly.State, Is.EqualTo(OwnershipState.Foreign));
        Assert.That(labelledOnly.Why, Does.Contain("no controller ownerReference").And.Contain("labelled app.kubernetes.io/managed-by=gmsa-operator"));
        Assert.That(Judge(Meta(labelled: false)).Why, Does.Not.Contain("labelled"));
    }

    [TestCase("other.dev/v1alpha1", "GmsaBinding", "webapp", "uid-1", TestName = "another API group")]
    [TestCase("gmsa.dev/v1alpha1", "Deployment", "webapp", "uid-1", TestName = "another kind")]
    [TestCase("gmsa.dev/v1alpha1", "GmsaBinding", "other", "uid-1", TestName = "another name, even with our UID")]
    [TestCase("gmsa.dev/v1alpha1", "GmsaBinding", "other", "uid-9", TestName = "another binding")]
    public void ControlledBySomethingElse_IsForeign_AndSaysByWhat(string apiVersion, string kind, string name, string uid)
    {
        var child = Judge(Meta(owners: Ref(apiVersion, kind, name, uid)));
        Assert.That(child.State, Is.EqualTo(OwnershipState.Foreign));
        Assert.That(child.Why, Does.Contain($"controlled by {kind} {name} (uid {uid})"));
    }

    [Test]
    public void ANonControllerReferenceToTheOwner_IsNotOwnership()
    {
        Assert.That(Judge(Meta(owners: Ref(controller: false))).State, Is.EqualTo(OwnershipState.Foreign));
    }

    [Test]
    public void SameOwnerNameWithAnotherUid_IsAPredecessor_NeverOwned()
    {
        var child = Judge(Meta(owners: Ref(uid: "uid-old")));
        Assert.That(child.State, Is.EqualTo(OwnershipState.Predecessor));
        Assert.That(child.Controller!.Uid, Is.EqualTo("uid-old"));
        Assert.That(child.Why, Does.Contain("earlier GmsaBinding named webapp (uid uid-old)"));
    }

    [Test]
    public void WhenTheOwnerIsGone_EvenItsOwnChildIsOnlyAPredecessor()
    {
        // With no UID to compare, the child can only be deleted once a live read confirms its owner is gone.
        var child = Judge(Meta(owners: Ref()), Binding with { Uid = null });
        Assert.That(child.State, Is.EqualTo(OwnershipState.Predecessor));
        Assert.That(ChildDeletion.OnRevocation(child), Is.EqualTo(new ChildDeletion(child, OnlyIfDangling: true)));
    }

    [Test]
    public void Revocation_DeletesOwnedAndDanglingChildren_NeverForeignOnes()
    {
        Assert.That(ChildDeletion.OnRevocation(Judge(Meta(owners: Ref())))!.OnlyIfDangling, Is.False);
        Assert.That(ChildDeletion.OnRevocation(Judge(Meta())), Is.Null);
        Assert.That(ChildDeletion.OnRevocation(Judge(Meta(owners: Ref(name: "other")))), Is.Null);
        Assert.That(ChildDeletion.OnRevocation(Judge(null)), Is.Null);
        Assert.That(ChildDeletion.OnRevocation(null), Is.Null);
    }
}
