using System.Globalization;

namespace GmsaOperator.Webhooks.Json;

/// <summary>Formats a float64 like Go's <c>encoding/json</c>: shortest round-trip digits, plain notation for 1e-6 ≤ |x| &lt; 1e21, else <c>1e+21</c> / <c>1e-7</c>.</summary>
internal static class GoFloat
{
    public static string Format(double value)
    {
        if (value == 0) return double.IsNegative(value) ? "-0" : "0";
        // "R" gives the shortest round-trip digits in .NET's own notation; split it into digits + exponent.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var (negative, digits, exponent) = Decompose(shortest);
        var abs = Math.Abs(value);
        if (abs < 1e-6 || abs >= 1e21)
        {
            // d.ddde±XX with at least two exponent digits trimmed like Go (e-07 → e-7, e+21 stays).
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            var exp = exponent - 1;
            return (negative ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
        }
        string text;
        if (exponent <= 0) text = "0." + new string('0', -exponent) + digits;
        else if (exponent >= digits.Length) text = digits + new string('0', exponent - digits.Length);
        else text = digits[..exponent] + "." + digits[exponent..];
        return (negative ? "-" : "") + text;
    }

    /// <summary>Splits a .NET number string into sign, significant digits and decimal exponent (value = 0.digits × 10^exponent).</summary>
    private static (bool Negative, string Digits, int Exponent) Decompose(string s)
    {
        var negative = s.StartsWith('-');
        if (negative) s = s[1..];
        var exponent = 0;
        var e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? s[..dot] : s;
        var fracPart = dot >= 0 ? s[(dot + 1)..] : "";
        var all = intPart + fracPart;
        exponent += intPart.Length;
        var trimmedStart = all.TrimStart('0');
        exponent -= all.Length - trimmedStart.Length;
        var digits = trimmedStart.TrimEnd('0');
        return (negative, digits.Length == 0 ? "0" : digits, exponent);
    }
}
