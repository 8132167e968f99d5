using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Writes;
using k8s;
using k8s.Models;

namespace GmsaOperator.Operator.Reconcilers;

/// <summary>Carries out planned deletions of generated objects: each pinned to the object judged, a predecessor only once its owner is confirmed gone.</summary>
public static class ChildDeletions
{
    /// <summary>
    /// False when nothing was deleted because the live API server contradicts the cache (the predecessor's owner UID
    /// still exists under that name): the caller requeues and decides again. A precondition failure (the object
    /// changed or was replaced) surfaces as a 409 <see cref="k8s.Autorest.HttpOperationException"/>.
    /// </summary>
    /// <param name="ownerNamespace">Where the owner lives: the child's namespace for a namespaced owner, null for a cluster-scoped one.</param>
    public static async Task<bool> RunAsync<TChild, TOwner>(
        IObjectWriter writer, string? childNamespace, string? ownerNamespace, ChildDeletion deletion, CancellationToken cancellationToken)
        where TChild : class, IKubernetesObject<V1ObjectMeta>
        where TOwner : class, IKubernetesObject<V1ObjectMeta>
    {
        var child = deletion.Child;
        if (deletion.OnlyIfDangling)
        {
            // The cache said the owner is gone or has another UID; only the API server's word lets us act like the GC.
            var controller = child.Controller!;
            var live = await writer.GetAsync<TOwner>(new ObjectKey(ownerNamespace, controller.Name), cancellationToken);
            if (live is not null && live.Metadata.Uid == controller.Uid) return false;
        }
        await writer.DeleteAsync<TChild>(new ObjectKey(childNamespace, child.Name), child.Guard!, cancellationToken);
        return true;
    }
}
