using GmsaOperator.Entities;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Hosting;
using k8s;
using k8s.Models;

namespace GmsaOperator.Bench;

/// <summary>
/// The design floor of convergence: the API work the design cannot avoid — the N GmsaBinding objects themselves and
/// their N RoleBindings — without our webhook or operator. The GmsaBindings go to a copy of the CRD in another group
/// (<see cref="Group"/>): the same schema and object size, but no admission webhook matches it and no operator watches it.
/// </summary>
internal static class DesignFloor
{
    public const string Group = "floor.bench.gmsa.dev";

    public static async Task InstallCrdAsync(IKubernetes client, TextWriter log, CancellationToken cancellationToken)
    {
        var original = CustomResourceDefinitions.All().Single(c => c.Spec.Names.Kind == GmsaBinding.EntityKind);
        var copy = KubernetesJson.Deserialize<V1CustomResourceDefinition>(KubernetesJson.Serialize(original));
        copy.Spec.Group = Group;
        copy.Metadata = new V1ObjectMeta { Name = $"{copy.Spec.Names.Plural}.{Group}" };
        await CrdInstaller.InstallAsync(client, [copy], log, cancellationToken);
    }
}
