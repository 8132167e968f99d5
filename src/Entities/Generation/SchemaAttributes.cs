namespace GmsaOperator.Entities.Generation;

// Property-level markers read by SchemaGenerator. Descriptions use System.ComponentModel.DescriptionAttribute.

/// <summary>The property must be present (listed in the parent's <c>required</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredAttribute : Attribute;

/// <summary>A regular expression (ECMA 262) the string must match.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string pattern) : Attribute
{
    public string Pattern { get; } = pattern;
}

/// <summary>String length bounds; -1 means unbounded.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class LengthAttribute : Attribute
{
    public int Min { get; init; } = -1;

    public int Max { get; init; } = -1;
}

/// <summary>Array size bounds; -1 means unbounded.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemsAttribute : Attribute
{
    public int Min { get; init; } = -1;

    public int Max { get; init; } = -1;
}

/// <summary>Constraints applied to each item of a string array (pattern and length of the items).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemPatternAttribute(string pattern) : Attribute
{
    public string Pattern { get; } = pattern;

    public int MinLength { get; init; } = -1;

    public int MaxLength { get; init; } = -1;
}

/// <summary><c>x-kubernetes-list-type</c> (<c>atomic</c>, <c>set</c> or <c>map</c>) and, for maps, the key fields.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListTypeAttribute(string listType, params string[] mapKeys) : Attribute
{
    public string ListType { get; } = listType;

    public IReadOnlyList<string> MapKeys { get; } = mapKeys;
}

/// <summary>An OpenAPI string or integer format such as <c>date-time</c> or <c>int64</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FormatAttribute(string format) : Attribute
{
    public string Format { get; } = format;
}

/// <summary>Minimum value of an integer.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumAttribute(long minimum) : Attribute
{
    public long Minimum { get; } = minimum;
}

/// <summary>Inclusive bounds of an integer (<c>minimum</c> and <c>maximum</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RangeAttribute(long minimum, long maximum) : Attribute
{
    public long Minimum { get; } = minimum;

    public long Maximum { get; } = maximum;
}

/// <summary>
/// The value the API server fills in when the field is absent (structural-schema defaulting, also applied on read).
/// Keep it equal to the property's C# initial value, so objects read without the defaults mean the same.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultAttribute(object value) : Attribute
{
    public object Value { get; } = value;
}
