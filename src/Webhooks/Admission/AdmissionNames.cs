using System.Text.RegularExpressions;
using GmsaOperator.Entities.Generation;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// Kubernetes name rules, checked on every name taken from a request before it reaches a cache, an API call or a
/// message: the API server enforces them on real objects, so only a forged body (anyone reaching the webhook port)
/// fails them, and such a body must not turn into lookups or into cache keys and texts as long as the body.
/// </summary>
public static partial class AdmissionNames
{
    /// <summary>Longest namespace name (RFC 1123 label).</summary>
    public const int Dns1123LabelMaxLength = 63;

    /// <summary>Why <paramref name="name"/> cannot be an object name (RFC 1123 subdomain, as the API server checks), or null.</summary>
    public static string? InvalidSubdomain(string name)
    {
        if (name.Length > NamePatterns.Dns1123SubdomainMaxLength) return $"Too long: may not be more than {NamePatterns.Dns1123SubdomainMaxLength} bytes";
        return Dns1123Subdomain().IsMatch(name) && !name.EndsWith('\n') // .NET's $ also matches before a final newline
            ? null
            : $"Invalid value: {GoQuote.Quote(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    }

    /// <summary>Why <paramref name="name"/> cannot be a namespace name (RFC 1123 label), or null.</summary>
    public static string? InvalidNamespace(string name)
    {
        if (name.Length > Dns1123LabelMaxLength) return $"Too long: may not be more than {Dns1123LabelMaxLength} bytes";
        return Dns1123Label().IsMatch(name) && !name.EndsWith('\n')
            ? null
            : $"Invalid value: {GoQuote.Quote(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    }

    [GeneratedRegex(NamePatterns.Dns1123Subdomain, RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();
}
