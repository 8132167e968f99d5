using System.Globalization;
using System.Text;

namespace GmsaOperator.Webhooks.Json;

/// <summary>Go's <c>%q</c> / <c>strconv.Quote</c>: double-quoted, <c>"</c> and <c>\</c> escaped, non-printable characters as <c>\n</c>, <c>\x..</c>, <c>\u....</c>.</summary>
public static class GoQuote
{
    public static string Quote(string? value)
    {
        value ??= "";
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in EnumerateRunes(value))
        {
            var v = rune.Value;
            switch (v)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (IsPrint(rune)) sb.Append(rune.ToString());
            else if (v < 0x20 || v == 0x7f) sb.Append("\\x").Append(v.ToString("x2", CultureInfo.InvariantCulture));
            else if (v < 0x10000) sb.Append("\\u").Append(v.ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append("\\U").Append(v.ToString("x8", CultureInfo.InvariantCulture));
        }
        return sb.Append('"').ToString();
    }

    private static IEnumerable<Rune> EnumerateRunes(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (Rune.TryGetRuneAt(value, i, out var rune))
            {
                if (rune.Utf16SequenceLength == 2) i++;
                yield return rune;
            }
            else
            {
                yield return Rune.ReplacementChar;
            }
        }
    }

    /// <summary>Go's <c>unicode.IsPrint</c>: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ') return true;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }
}
