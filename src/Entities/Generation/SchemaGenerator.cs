using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace GmsaOperator.Entities.Generation;

/// <summary>Builds the OpenAPI v3 schema of a C# entity type from its properties and schema attributes.</summary>
public static class SchemaGenerator
{
    /// <summary>The root schema of an entity: its data properties (apiVersion, kind and metadata are implied by the API server).</summary>
    public static V1JSONSchemaProps ForEntity(Type entityType) => ForObject(entityType, skip: IsObjectHeader);

    private static bool IsObjectHeader(PropertyInfo property) =>
        property.Name is nameof(IKubernetesObject.ApiVersion) or nameof(IKubernetesObject.Kind) or nameof(IMetadata<>.Metadata);

    private static V1JSONSchemaProps ForObject(Type type, Func<PropertyInfo, bool>? skip = null)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null && !(skip?.Invoke(p) ?? false))
            .Select(p => (Name: JsonName(p), Property: p))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        var required = properties.Where(p => p.Property.GetCustomAttribute<RequiredAttribute>() is not null).Select(p => p.Name).ToList();
        return new V1JSONSchemaProps
        {
            Type = "object",
            Description = type.GetCustomAttribute<DescriptionAttribute>()?.Description,
            Properties = properties.ToDictionary(p => p.Name, p => ForProperty(p.Property)),
            Required = required.Count > 0 ? required : null,
        };
    }

    private static V1JSONSchemaProps ForProperty(PropertyInfo property)
    {
        var schema = ForType(property.PropertyType);
        if (property.GetCustomAttribute<DescriptionAttribute>() is { } description) schema.Description = description.Description;
        if (property.GetCustomAttribute<PatternAttribute>() is { } pattern) schema.Pattern = pattern.Pattern;
        if (property.GetCustomAttribute<FormatAttribute>() is { } format) schema.Format = format.Format;
        if (property.GetCustomAttribute<MinimumAttribute>() is { } minimum) schema.Minimum = minimum.Minimum;
        if (property.GetCustomAttribute<RangeAttribute>() is { } range) (schema.Minimum, schema.Maximum) = (range.Minimum, range.Maximum);
        if (property.GetCustomAttribute<DefaultAttribute>() is { } @default) schema.DefaultProperty = @default.Value;
        if (property.GetCustomAttribute<LengthAttribute>() is { } length)
        {
            schema.MinLength = length.Min >= 0 ? length.Min : null;
            schema.MaxLength = length.Max >= 0 ? length.Max : null;
        }
        if (property.GetCustomAttribute<ItemsAttribute>() is { } items)
        {
            schema.MinItems = items.Min >= 0 ? items.Min : null;
            schema.MaxItems = items.Max >= 0 ? items.Max : null;
        }
        if (property.GetCustomAttribute<ItemPatternAttribute>() is { } itemPattern && schema.Items is V1JSONSchemaProps itemSchema)
        {
            itemSchema.Pattern = itemPattern.Pattern;
            itemSchema.MinLength = itemPattern.MinLength >= 0 ? itemPattern.MinLength : null;
            itemSchema.MaxLength = itemPattern.MaxLength >= 0 ? itemPattern.MaxLength : null;
        }
        if (property.GetCustomAttribute<ListTypeAttribute>() is { } listType)
        {
            schema.XKubernetesListType = listType.ListType;
            schema.XKubernetesListMapKeys = listType.MapKeys.Count > 0 ? [.. listType.MapKeys] : null;
        }
        return schema;
    }

    private static V1JSONSchemaProps ForType(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (WellKnownSchemas.For(type) is { } known) return known;
        if (type == typeof(string)) return new V1JSONSchemaProps { Type = "string" };
        if (type == typeof(bool)) return new V1JSONSchemaProps { Type = "boolean" };
        if (type == typeof(int)) return new V1JSONSchemaProps { Type = "integer", Format = "int32" };
        if (type == typeof(long)) return new V1JSONSchemaProps { Type = "integer", Format = "int64" };
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return new V1JSONSchemaProps { Type = "string", Format = "date-time" };
        if (ElementType(type) is { } element) return new V1JSONSchemaProps { Type = "array", Items = ForType(element) };
        if (type.IsClass && !type.IsGenericType && type.Namespace?.StartsWith("GmsaOperator.", StringComparison.Ordinal) == true) return ForObject(type);
        throw new NotSupportedException($"SchemaGenerator cannot map type {type.FullName}; add it to SchemaGenerator or WellKnownSchemas.");
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(IList<>) || definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(ICollection<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
        ?? throw new NotSupportedException($"{property.DeclaringType?.Name}.{property.Name} needs a [JsonPropertyName]: wire names are never guessed.");
}
