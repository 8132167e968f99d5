using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Reconcilers;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Reconcilers;

/// <summary>Ownership by controller ownerReference (never by label) and injective generated names, against the real API server.</summary>
public sealed partial class GmsaBindingReconcilerTests
{
    private static readonly Dictionary<string, string> ManagedByUs = new() { [ManagedLabels.ManagedBy] = ManagedLabels.ManagedByValue };

    [Test]
    public async Task LabelledRoleBindingOwnedByNothing_IsAConflict_LeftByteIdentical_AndSurvivesTheBindingsDeletion()
    {
        await CreateCredSpecAsync();
        var planted = await PlantRoleBindingAsync("taken", owner: null);

        await CreateBindingAsync("taken", ["default"]);

        var ready = await WaitForConflictAsync("taken");
        Assert.That(ready.Message, Does.Contain($"RoleBinding {Namespace}/{planted.Name()}").And.Contain("no controller ownerReference"));
        await Eventually.HoldsAsync(async ct =>
        {
            var list = await Client.EventsV1.ListNamespacedEventAsync(Namespace, cancellationToken: ct);
            return list.Items.FirstOrDefault(e => e.Regarding?.Name == "taken" && e.Type == "Warning" && e.Reason == BindingPlanner.ConflictReason);
        }, Converge, "a Warning Conflict event on the binding");
        await AssertUnchangedAsync(planted);

        // Deleting the binding must not delete what it never owned: once a later binding is Ready, the queue has moved on.
        await Client.CustomObjects.DeleteNamespacedCustomObjectAsync(GmsaBinding.ApiGroup, GmsaBinding.Version, Namespace, GmsaBinding.Plural, "taken");
        await CreateBindingAsync("later", ["default"]);
        await WaitForReadyAsync("later", "True", Converge);
        await AssertUnchangedAsync(planted);
    }

    [Test]
    public async Task LabelledRoleBindingOwnedByAnotherBinding_IsAConflict_AndLeftByteIdentical()
    {
        await CreateCredSpecAsync();
        await CreateBindingAsync("other", ["default"]);
        var other = await WaitForReadyAsync("other", "True", Converge);
        var planted = await PlantRoleBindingAsync("taken", OwnerRef("other", other.Metadata.Uid));

        await CreateBindingAsync("taken", ["default"]);

        var ready = await WaitForConflictAsync("taken");
        Assert.That(ready.Message, Does.Contain($"controlled by GmsaBinding other (uid {other.Metadata.Uid})"));
        await AssertUnchangedAsync(planted);
    }

    [Test]
    public async Task LeftoverOfAnEarlierBindingOfTheSameName_IsReplaced_NeverAdopted()
    {
        await CreateCredSpecAsync();
        // What a deleted binding "phoenix" leaves for the garbage collector: controlled by its (now dangling) UID.
        // Same roleRef and subjects as the new binding wants: only its controller's UID is wrong.
        var leftover = await PlantRoleBindingAsync("phoenix", OwnerRef("phoenix", Guid.NewGuid().ToString()), GeneratedNames.ClusterRoleFor(_credSpec), "default");

        await CreateBindingAsync("phoenix", ["default"]);

        var binding = await WaitForReadyAsync("phoenix", "True", Converge);
        var current = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(leftover.Name(), Namespace);
        Assert.That(current.Metadata.Uid, Is.Not.EqualTo(leftover.Metadata.Uid), "a new object, not the leftover re-labelled");
        Assert.That(current.Metadata.OwnerReferences.Single().Uid, Is.EqualTo(binding.Metadata.Uid));
        Assert.That(current.RoleRef.Name, Is.EqualTo(GeneratedNames.ClusterRoleFor(_credSpec)));
    }

    [Test]
    public async Task LabelledClusterRoleOwnedByNothing_IsAConflict_AndLeftByteIdentical()
    {
        var name = GeneratedNames.ClusterRoleFor(_credSpec);
        var planted = await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = ManagedByUs },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["get"] }],
        });
        try
        {
            await CreateCredSpecAsync();
            await CreateBindingAsync("webapp", ["default"]);

            var ready = await WaitForConflictAsync("webapp");
            Assert.That(ready.Message, Does.Contain($"ClusterRole {name}").And.Contain("no controller ownerReference"));
            await Eventually.HoldsAsync(async ct =>
            {
                var list = await Client.EventsV1.ListEventForAllNamespacesAsync(cancellationToken: ct);
                return list.Items.FirstOrDefault(e => e.Regarding?.Name == _credSpec && e.Type == "Warning" && e.Reason == BindingPlanner.ConflictReason);
            }, Converge, "a Warning Conflict event on the credential spec");
            var after = await Client.RbacAuthorizationV1.ReadClusterRoleAsync(name);
            Assert.That(KubernetesJson.Serialize(after), Is.EqualTo(KubernetesJson.Serialize(planted)));
            Assert.That(await RoleBindingExistsAsync("webapp"), Is.False, "nothing binds to a role someone else controls");

            await DeleteCredSpecAsync();
            await WaitForReadyAsync("webapp", "False", Converge, reason: "CredentialSpecNotFound");
            Assert.That(KubernetesJson.Serialize(await Client.RbacAuthorizationV1.ReadClusterRoleAsync(name)), Is.EqualTo(KubernetesJson.Serialize(planted)),
                "the credential spec's deletion never deletes what it did not own");
        }
        finally
        {
            await Client.RbacAuthorizationV1.DeleteClusterRoleAsync(name);
        }
    }

    [Test]
    public async Task BindingsWhoseNamesCollidedBefore_GetTwoRoleBindings()
    {
        await CreateCredSpecAsync();
        var longName = new string('b', 250);
        // The earlier scheme cut longName to exactly this (valid, fitting) name.
        var crafted = GeneratedNames.LegacyRoleBindingFor(longName)![GeneratedNames.RoleBindingPrefix.Length..];

        await CreateBindingAsync(longName, ["default"]);
        await CreateBindingAsync(crafted, ["default"]);

        var first = await WaitForReadyAsync(longName, "True", Converge);
        var second = await WaitForReadyAsync(crafted, "True", Converge);
        Assert.That(first.Status!.RoleBindingName, Is.Not.EqualTo(second.Status!.RoleBindingName));
        foreach (var binding in new[] { first, second })
        {
            var rb = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(binding.Status!.RoleBindingName, Namespace);
            Assert.That(rb.Metadata.OwnerReferences.Single().Uid, Is.EqualTo(binding.Metadata.Uid));
        }
    }

    [Test]
    public async Task AfterAnUpgrade_ItsRoleBindingUnderTheOldLongName_IsDeleted_AnotherOneThereIsNot()
    {
        await CreateCredSpecAsync();
        var longName = new string('d', 245);
        await CreateBindingAsync(longName, ["default"]);
        var binding = await WaitForReadyAsync(longName, "True", Converge);
        var oldName = GeneratedNames.LegacyRoleBindingFor(longName)!;
        // What the earlier release left: the binding's own RoleBinding under the old cut name.
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = oldName, Labels = ManagedByUs, OwnerReferences = [OwnerRef(longName, binding.Metadata.Uid)] },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = GeneratedNames.ClusterRoleFor(_credSpec) },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "formerly-listed", NamespaceProperty = Namespace }],
        }, Namespace);

        await Eventually.HoldsAsync(async ct =>
        {
            var list = await Client.RbacAuthorizationV1.ListNamespacedRoleBindingAsync(Namespace, cancellationToken: ct);
            return list.Items.Any(rb => rb.Name() == oldName) ? null : "gone";
        }, Converge, "the old-named RoleBinding the binding owns to be deleted");
        Assert.That(await MayUseAsync("formerly-listed"), Is.False);
        Assert.That(await MayUseAsync("default"), Is.True);
    }

    private V1OwnerReference OwnerRef(string name, string uid) =>
        new() { ApiVersion = $"{GmsaBinding.ApiGroup}/{GmsaBinding.Version}", Kind = GmsaBinding.EntityKind, Name = name, Uid = uid, Controller = true };

    /// <summary>A RoleBinding at the generated name of <paramref name="bindingName"/>, labelled as ours, controlled by <paramref name="owner"/>.</summary>
    private async Task<V1RoleBinding> PlantRoleBindingAsync(string bindingName, V1OwnerReference? owner, string role = "view", string subject = "theirs") =>
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta
            {
                Name = GeneratedNames.RoleBindingFor(bindingName), Labels = ManagedByUs, OwnerReferences = owner is null ? null : [owner],
            },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = subject, NamespaceProperty = Namespace }],
        }, Namespace);

    private async Task AssertUnchangedAsync(V1RoleBinding planted)
    {
        var now = await Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(planted.Name(), Namespace);
        Assert.That(now.Metadata.ResourceVersion, Is.EqualTo(planted.Metadata.ResourceVersion));
        Assert.That(KubernetesJson.Serialize(now), Is.EqualTo(KubernetesJson.Serialize(planted)), "byte-identical");
    }

    private async Task<V1Condition> WaitForConflictAsync(string name)
    {
        var binding = await WaitForReadyAsync(name, "False", Converge, reason: BindingPlanner.ConflictReason);
        return binding.Status!.Conditions!.Single(c => c.Type == BindingPlanner.ReadyType);
    }
}
