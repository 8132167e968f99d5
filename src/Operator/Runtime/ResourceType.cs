using System.Reflection;
using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime;

/// <summary>Where a kind lives in the API: group, version, plural, kind. Read from the type's <see cref="KubernetesEntityAttribute"/>.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public static ResourceType Of<T>() => Of(typeof(T));

    public static ResourceType Of(Type type)
    {
        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new InvalidOperationException($"{type.Name} has no [KubernetesEntity] attribute, so its API group, version and plural are unknown.");
        if (string.IsNullOrEmpty(entity.PluralName) || string.IsNullOrEmpty(entity.ApiVersion) || string.IsNullOrEmpty(entity.Kind))
        {
            throw new InvalidOperationException($"{type.Name}'s [KubernetesEntity] must set Kind, ApiVersion and PluralName.");
        }
        return new ResourceType(entity.Group ?? "", entity.ApiVersion, entity.PluralName, entity.Kind);
    }

    /// <summary>Fills apiVersion and kind, which list responses leave out of their items.</summary>
    public T Stamp<T>(T obj) where T : IKubernetesObject
    {
        obj.ApiVersion ??= ApiVersion;
        obj.Kind ??= Kind;
        return obj;
    }
}
