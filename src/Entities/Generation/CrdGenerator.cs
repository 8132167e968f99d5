using System.ComponentModel;
using System.Reflection;
using k8s.Models;

namespace GmsaOperator.Entities.Generation;

/// <summary>Builds a CustomResourceDefinition from an entity type's <see cref="KubernetesEntityAttribute"/> and CRD attributes.</summary>
public static class CrdGenerator
{
    public static V1CustomResourceDefinition Generate(Type entityType)
    {
        var entity = entityType.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{entityType.Name} has no [KubernetesEntity].", nameof(entityType));
        var columns = entityType.GetCustomAttributes<PrinterColumnAttribute>().Select(c => new V1CustomResourceColumnDefinition
        {
            Name = c.Name,
            Type = c.Type,
            JsonPath = c.JsonPath,
            Description = c.Description,
            Priority = c.Priority == 0 ? null : c.Priority,
        }).ToList();
        var subresources = entityType.GetCustomAttribute<StatusSubresourceAttribute>() is null
            ? null
            : new V1CustomResourceSubresources { Status = new object() };

        var storage = new V1CustomResourceDefinitionVersion
        {
            Name = entity.ApiVersion,
            Served = true,
            Storage = true,
            Deprecated = entityType.GetCustomAttribute<DeprecatedStorageVersionAttribute>() is null ? null : true,
        };
        var served = entityType.GetCustomAttributes<ServedVersionAttribute>()
            .Select(v => new V1CustomResourceDefinitionVersion { Name = v.Name, Served = true, Storage = false, Deprecated = v.Deprecated ? true : null });
        var versions = served.Append(storage).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        foreach (var version in versions)
        {
            // Every version gets its own copy: the models are mutable and shared references would alias on edit.
            version.Schema = new V1CustomResourceValidation { OpenAPIV3Schema = SchemaGenerator.ForEntity(entityType) };
            version.AdditionalPrinterColumns = columns.Count > 0 ? columns.Select(c => c with { }).ToList() : null;
            version.Subresources = subresources;
        }

        var annotations = entityType.GetCustomAttributes<CrdAnnotationAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var shortNames = entityType.GetCustomAttribute<ShortNamesAttribute>()?.Names;
        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta
            {
                Name = $"{entity.PluralName}.{entity.Group}",
                Annotations = annotations.Count > 0 ? annotations : null,
            },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = entity.Group,
                Names = new V1CustomResourceDefinitionNames
                {
                    Kind = entity.Kind,
                    ListKind = $"{entity.Kind}List",
                    Plural = entity.PluralName,
                    Singular = entity.Kind.ToLowerInvariant(),
                    ShortNames = shortNames is { Count: > 0 } ? [.. shortNames] : null,
                },
                Scope = (entityType.GetCustomAttribute<ScopeAttribute>()?.Scope ?? EntityScope.Namespaced).ToString(),
                Versions = versions,
                Conversion = versions.Count > 1 ? new V1CustomResourceConversion { Strategy = "None" } : null,
            },
        };
    }
}
