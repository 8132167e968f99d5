using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GmsaOperator.Webhooks.Json;

/// <summary>
/// Writes JSON exactly as Go's <c>encoding/json</c> marshals a decoded <c>interface{}</c>: compact, object keys sorted
/// by code point at every level (duplicates: last wins), HTML-safe escaping (<c>\u003c \u003e \u0026</c>, lowercase hex),
/// U+2028/U+2029 escaped, other non-ASCII raw. This is the upstream credspec serialisation and must stay byte-exact.
/// </summary>
public static class CanonicalJson
{
    /// <summary>The canonical text of <paramref name="value"/>.</summary>
    public static string Serialize(JsonElement value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    /// <summary>Appends <paramref name="value"/> as a Go-escaped JSON string literal (with quotes).</summary>
    public static void WriteString(StringBuilder sb, string value)
    {
        sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    AppendUnicodeEscape(sb, c);
                    continue;
            }
            if (c < 0x20)
            {
                AppendUnicodeEscape(sb, c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                sb.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                // Go replaces invalid UTF-8 (what a lone surrogate becomes) with U+FFFD, escaped.
                sb.Append("\\ufffd");
            }
            else
            {
                sb.Append(c);
            }
        }
        sb.Append('"');
    }

    private static void AppendUnicodeEscape(StringBuilder sb, char c) =>
        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));

    private static void Write(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                // Go decodes into a map (last duplicate wins) and marshals maps with sorted keys.
                var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    members[JsonStrings.Decode(property)] = property.Value;
                }
                var keys = members.Keys.ToArray();
                Array.Sort(keys, CodePointComparer.Instance);
                sb.Append('{');
                for (var i = 0; i < keys.Length; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteString(sb, keys[i]);
                    sb.Append(':');
                    Write(sb, members[keys[i]]);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(sb, JsonStrings.Decode(value));
                break;
            case JsonValueKind.Number:
                sb.Append(GoFloat.Format(value.GetDouble()));
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            default:
                sb.Append("null");
                break;
        }
    }
}
