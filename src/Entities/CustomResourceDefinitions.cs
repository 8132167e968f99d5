using k8s.Models;

namespace GmsaOperator.Entities;

/// <summary>The CustomResourceDefinitions this project owns, as installed by <c>make run</c> and written to <c>config/crd</c>.</summary>
public static class CustomResourceDefinitions
{
    // NOT FINISHED: filled by the CRD generator (entities issue); until then no CRDs are installed.
    public static IReadOnlyList<V1CustomResourceDefinition> All() => [];
}
