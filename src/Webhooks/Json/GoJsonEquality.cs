using System.Text;
using System.Text.Json;

namespace GmsaOperator.Webhooks.Json;

/// <summary>
/// Compares two credential-spec texts like upstream: byte-identical strings are equal without parsing; otherwise both
/// must parse as JSON objects and are compared like Go's <c>reflect.DeepEqual</c> of decoded maps (key order and
/// whitespace ignored, array order significant, numbers as float64, duplicate keys: last wins). Documents nested
/// deeper than <see cref="MaxDepth"/> are refused before they are parsed, so the recursive comparison below is bounded
/// (a credspec is four levels deep; a forged pod can send hundreds of thousands).
/// </summary>
public static class GoJsonEquality
{
    /// <summary>Deepest accepted nesting of objects and arrays in credspec contents.</summary>
    public const int MaxDepth = 64;

    /// <summary>How two credspec texts compare.</summary>
    public enum Outcome
    {
        Equal,
        NotEqual,
        Unparseable,
        TooDeep,
    }

    /// <summary>True when equal; <paramref name="error"/> is the upstream parse-error text when one side is not a JSON object.</summary>
    public static bool CredentialSpecsEqual(string fromPod, string fromResource, out string? error)
    {
        var outcome = Compare(fromPod, fromResource, out error);
        if (outcome == Outcome.TooDeep) error = $"nested deeper than the limit of {MaxDepth} levels";
        return outcome == Outcome.Equal;
    }

    /// <summary>The comparison; <paramref name="error"/> is the upstream parse-error text when <see cref="Outcome.Unparseable"/>.</summary>
    public static Outcome Compare(string fromPod, string fromResource, out string? error)
    {
        error = null;
        if (string.Equals(fromPod, fromResource, StringComparison.Ordinal)) return Outcome.Equal;
        if (TooDeep(fromPod) || TooDeep(fromResource)) return Outcome.TooDeep;
        if (!TryParseObject(fromPod, out var podValue, out var podError))
        {
            error = $"unable to parse {GoQuote.Quote(fromPod)} as a JSON object: {podError}";
            return Outcome.Unparseable;
        }
        if (!TryParseObject(fromResource, out var resourceValue, out var resourceError))
        {
            error = $"unable to parse CRD {GoQuote.Quote(fromResource)} as a JSON object: {resourceError}";
            return Outcome.Unparseable;
        }
        return DeepEquals(podValue, resourceValue) ? Outcome.Equal : Outcome.NotEqual;
    }

    /// <summary>
    /// True when more than <see cref="MaxDepth"/> objects/arrays are open at once. A reader pass (iterative, nothing
    /// built) that stops at the first level too many; malformed text is not "too deep" and gets the parser's error.
    /// </summary>
    public static bool TooDeep(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > MaxDepth) return true;
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    private static bool TryParseObject(string text, out object? value, out string? error)
    {
        value = null;
        error = null;
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth });
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    value = ToGoValue(root);
                    return true;
                case JsonValueKind.Null:
                    // Go leaves the map nil for a JSON null: not an error, equal only to another null.
                    return true;
                default:
                    error = $"json: cannot unmarshal {GoTypeName(root.ValueKind)} into Go value of type map[string]interface {{}}";
                    return false;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            error = e.Message;
            return false;
        }
    }

    private static string GoTypeName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "bool",
    };

    private static object? ToGoValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (map, p) =>
        {
            map[JsonStrings.Decode(p)] = ToGoValue(p.Value);
            return map;
        }),
        JsonValueKind.Array => element.EnumerateArray().Select(ToGoValue).ToList(),
        JsonValueKind.String => JsonStrings.Decode(element),
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static bool DeepEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (Dictionary<string, object?> x, Dictionary<string, object?> y) =>
            x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var other) && DeepEquals(kv.Value, other)),
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(pair => DeepEquals(pair.First, pair.Second)),
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (double x, double y) => x.Equals(y),
        (bool x, bool y) => x == y,
        _ => false,
    };
}
