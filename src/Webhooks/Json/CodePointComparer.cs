namespace GmsaOperator.Webhooks.Json;

/// <summary>Orders strings by Unicode code point, which equals Go's byte-wise UTF-8 order (UTF-16 ordinal differs for supplementary characters).</summary>
public sealed class CodePointComparer : IComparer<string>
{
    public static readonly CodePointComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a == b) continue;
            // Surrogates (D800–DFFF) encode code points above FFFF, so they sort after E000–FFFF.
            if (char.IsSurrogate(a) != char.IsSurrogate(b)) return char.IsSurrogate(a) ? 1 : -1;
            return a.CompareTo(b);
        }
        return x.Length.CompareTo(y.Length);
    }
}
