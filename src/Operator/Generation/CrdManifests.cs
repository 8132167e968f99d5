using GmsaOperator.Entities;

namespace GmsaOperator.Operator.Generation;

/// <summary><c>config/crd</c>: one file per CRD, named like controller-gen's (<c>group_plural.yaml</c>).</summary>
public static class CrdManifests
{
    public static IEnumerable<GeneratedFile> Files()
    {
        var files = CustomResourceDefinitions.All()
            .Select(crd => GeneratedFile.Yaml($"crd/bases/{crd.Spec.Group}_{crd.Spec.Names.Plural}.yaml", crd))
            .ToList();
        return [.. files, Kustomization.File("crd", files.Select(f => f.Path["crd/".Length..]))];
    }
}
