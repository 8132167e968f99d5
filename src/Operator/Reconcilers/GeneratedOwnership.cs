using GmsaOperator.Runtime.Writes;
using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>Whose an object at a generated name is, as far as this operator is concerned.</summary>
public enum OwnershipState
{
    /// <summary>Nothing at that name.</summary>
    Missing,

    /// <summary>Controlled by the very owner (group, kind, name and UID): ours to apply and delete.</summary>
    Owned,

    /// <summary>
    /// Controlled by an owner of the same group, kind and name but another UID: the leftover of a deleted owner the
    /// garbage collector has not removed yet (or a forged reference). Never adopted; deleted once a live read confirms
    /// that UID no longer exists, exactly as the garbage collector would.
    /// </summary>
    Predecessor,

    /// <summary>Anything else, labelled managed-by gmsa-operator or not: never written or deleted.</summary>
    Foreign,
}

/// <summary>
/// An observed object at a generated name and its ownership. <paramref name="Guard"/> pins the exact object that was
/// judged, so a write or delete cannot hit an object that replaced it since; <paramref name="Why"/> says, for a
/// Predecessor or Foreign object, what makes it so (for conditions and events).
/// </summary>
public sealed record ChildOwnership(
    OwnershipState State, string Name, OwnerIdentity? Controller = null, Precondition? Guard = null, string Why = "")
{
    public static ChildOwnership Missing(string name) => new(OwnershipState.Missing, name);
}

/// <summary>The owner a generated object must point at: API group, kind, name and (when the owner exists) UID.</summary>
public sealed record OwnerIdentity(string Group, string Kind, string Name, string? Uid)
{
    public override string ToString() => Uid is null ? $"{Kind} {Name}" : $"{Kind} {Name} (uid {Uid})";
}

/// <summary>The pure ownership decision: identity by controller ownerReference, never by label.</summary>
public static class GeneratedOwnership
{
    /// <summary>
    /// Classifies <paramref name="observed"/> (null: missing) for <paramref name="owner"/>. An owner with a null UID is
    /// gone: an object controlled by its group, kind and name is then a Predecessor, as no object holds that name.
    /// </summary>
    public static ChildOwnership Classify(string name, V1ObjectMeta? observed, OwnerIdentity owner)
    {
        if (observed is null) return ChildOwnership.Missing(name);
        var guard = new Precondition(observed.Uid, observed.ResourceVersion);
        // The API server admits at most one controller reference per object.
        var c = observed.OwnerReferences?.FirstOrDefault(r => r.Controller == true);
        if (c is null)
        {
            var labelled = ManagedLabels.IsManaged(observed.Labels) ? $" although it is labelled {ManagedLabels.ManagedBy}={ManagedLabels.ManagedByValue}" : "";
            return new(OwnershipState.Foreign, name, null, guard, $"it has no controller ownerReference{labelled}");
        }

        var controller = new OwnerIdentity(GroupOf(c.ApiVersion), c.Kind, c.Name, c.Uid);
        var sameOwnerName = controller.Group == owner.Group && controller.Kind == owner.Kind && controller.Name == owner.Name;
        if (sameOwnerName && owner.Uid is not null && controller.Uid == owner.Uid)
        {
            return new(OwnershipState.Owned, name, controller, guard);
        }
        if (sameOwnerName)
        {
            return new(OwnershipState.Predecessor, name, controller, guard,
                $"it is controlled by an earlier {owner.Kind} named {owner.Name} (uid {controller.Uid}) that no longer exists");
        }
        return new(OwnershipState.Foreign, name, controller, guard, $"it is controlled by {controller}, not by {owner}");
    }

    private static string GroupOf(string? apiVersion)
    {
        var slash = apiVersion?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash < 0 ? "" : apiVersion![..slash];
    }
}

/// <summary>
/// A generated object to delete, pinned to the observed object (<see cref="ChildOwnership.Guard"/>). With
/// <paramref name="OnlyIfDangling"/> it is a Predecessor: deleted only after a live read shows its controller's UID
/// no longer exists under that name.
/// </summary>
public sealed record ChildDeletion(ChildOwnership Child, bool OnlyIfDangling)
{
    public static ChildDeletion Owned(ChildOwnership child) =>
        child.State == OwnershipState.Owned ? new(child, false) : throw new ArgumentException($"{child.Name} is not owned", nameof(child));

    /// <summary>What to delete when the owner is gone or being deleted: its own objects and dangling leftovers, never another's.</summary>
    public static ChildDeletion? OnRevocation(ChildOwnership? child) => child?.State switch
    {
        OwnershipState.Owned => Owned(child),
        OwnershipState.Predecessor => IfDangling(child),
        _ => null,
    };

    public static ChildDeletion IfDangling(ChildOwnership child) =>
        child.State == OwnershipState.Predecessor ? new(child, true) : throw new ArgumentException($"{child.Name} is not a predecessor", nameof(child));
}
