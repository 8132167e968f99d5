using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Entities.Generation;
using k8s.Models;

namespace GmsaOperator.Entities;

/// <summary>The CustomResourceDefinitions this project owns, as installed by <c>make run</c> and written to <c>config/crd</c>.</summary>
public static class CustomResourceDefinitions
{
    /// <summary>The entity types, in installation order.</summary>
    public static IReadOnlyList<Type> EntityTypes { get; } = [typeof(GmsaCredentialSpec), typeof(GmsaBinding)];

    /// <summary>Fresh CRD objects generated from the entity types (callers may mutate them).</summary>
    public static IReadOnlyList<V1CustomResourceDefinition> All() => [.. EntityTypes.Select(CrdGenerator.Generate)];
}
