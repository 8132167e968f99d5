using GmsaOperator.Runtime.Informers;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Controllers;

/// <summary>Ready-made filters for <see cref="ControllerBuilder{TPrimary}.WithPrimaryFilter"/> (controller-runtime's predicates).</summary>
public static class EventFilters
{
    /// <summary>
    /// Creates and deletes pass; an update passes only when <c>metadata.generation</c> changed, i.e. the spec (or the
    /// deletion timestamp) did, not the status or other metadata. For kinds with a status subresource.
    /// </summary>
    public static bool GenerationChanged<T>(InformerEvent<T> e) where T : class, IKubernetesObject<V1ObjectMeta> =>
        e.Type != InformerEventType.Updated || e.Old is null || e.Old.Metadata.Generation != e.Object.Metadata.Generation;
}
