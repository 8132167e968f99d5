using System.Text;
using System.Text.RegularExpressions;
using GmsaOperator.Entities.Generation;

namespace GmsaOperator.Operator.Cli.CredentialSpecs;

/// <summary>Kubernetes object-name rules (lower-case RFC 1123) and the nearest valid name for a wrong one.</summary>
public static partial class ObjectNames
{
    public static bool IsDns1123Subdomain(string name) =>
        name.Length is > 0 and <= NamePatterns.Dns1123SubdomainMaxLength && Subdomain().IsMatch(name);

    public static bool IsDns1123Label(string name) => name.Length is > 0 and <= 63 && Label().IsMatch(name);

    /// <summary>Lower-cases, turns every other invalid character into '-', trims what may not start or end a name.</summary>
    public static string Suggest(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' ? c : '-');
        }
        var parts = sb.ToString().Split('.', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Trim('-')).Where(p => p.Length > 0);
        var suggestion = string.Join('.', parts);
        return suggestion.Length > NamePatterns.Dns1123SubdomainMaxLength
            ? suggestion[..NamePatterns.Dns1123SubdomainMaxLength].TrimEnd('-', '.')
            : suggestion;
    }

    [GeneratedRegex(NamePatterns.Dns1123Subdomain, RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Label();
}
