using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GmsaOperator.Webhooks.Json;

/// <summary>Decodes JSON string tokens the way Go does: a lone surrogate escape (<c>\ud800</c>) becomes U+FFFD instead of an error.</summary>
internal static class JsonStrings
{
    public static string Decode(JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return DecodeRaw(value.GetRawText());
        }
    }

    public static string Decode(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            var raw = property.ToString();
            return DecodeRaw(raw[..(raw.IndexOf("\":", StringComparison.Ordinal) + 1)]);
        }
    }

    private static string DecodeRaw(string quoted)
    {
        var sb = new StringBuilder(quoted.Length);
        for (var i = 1; i < quoted.Length - 1; i++)
        {
            var c = quoted[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            var e = quoted[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    sb.Append((char)int.Parse(quoted.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }
        // Replace unpaired surrogates with U+FFFD, as Go's decoder does.
        var chars = sb.ToString().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) { i++; continue; }
            if (char.IsSurrogate(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }
}
