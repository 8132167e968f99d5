using System.Text.Json;
using System.Text.RegularExpressions;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// <c>/validate-gmsacredentialspec</c>: rejects GMSACredentialSpecs that can never work (no <c>credspec</c>, no
/// <c>DomainJoinConfig</c>, no <c>GroupManagedServiceAccounts</c>) naming the field, and warns about suspicious values.
/// Pure: no API calls.
/// </summary>
public static partial class CredentialSpecValidator
{
    public const string Kind = "GMSACredentialSpec";

    public static AdmissionResult Validate(AdmissionRequest request)
    {
        if (request.Kind?.Kind != Kind) return AdmissionResult.Deny(400, $"expected a {Kind} object, got a {request.Kind?.Kind}");
        if (request.Operation is not ("CREATE" or "UPDATE")) return AdmissionResult.Deny(AdmissionErrors.UnexpectedOperation(request.Operation));
        if (request.Object is not { ValueKind: JsonValueKind.Object } resource)
        {
            return AdmissionResult.Deny(400, "unable to unmarshall GMSACredentialSpec JSON object: unexpected end of JSON input");
        }

        var name = resource.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                   && metadata.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : request.Name ?? "";
        AdmissionResult Invalid(string field, string problem) =>
            AdmissionResult.Deny(422, $"GMSACredentialSpec {GoQuote.Quote(name)} is invalid: {field} {problem}");

        if (!resource.TryGetProperty("credspec", out var credspec))
        {
            return Invalid("credspec", "is required (an object with DomainJoinConfig and ActiveDirectoryConfig.GroupManagedServiceAccounts)");
        }
        var findings = Check(credspec);
        return findings.Field is { } field ? Invalid(field, findings.Problem!) : AdmissionResult.Allow(findings.Warnings);
    }

    /// <summary>
    /// The rules on the <c>credspec</c> document itself, shared by the admission check and <c>gmsa-operator credspec
    /// convert</c>: the first fatal problem (field path and problem text) or null, plus warnings.
    /// </summary>
    public static CredentialSpecFindings Check(JsonElement credspec)
    {
        if (credspec.ValueKind != JsonValueKind.Object)
        {
            return CredentialSpecFindings.Invalid("credspec", "is required (an object with DomainJoinConfig and ActiveDirectoryConfig.GroupManagedServiceAccounts)");
        }
        if (!credspec.TryGetProperty("DomainJoinConfig", out var domain) || domain.ValueKind != JsonValueKind.Object)
        {
            return CredentialSpecFindings.Invalid("credspec.DomainJoinConfig", "is required");
        }
        if (!credspec.TryGetProperty("ActiveDirectoryConfig", out var ad) || ad.ValueKind != JsonValueKind.Object
            || !ad.TryGetProperty("GroupManagedServiceAccounts", out var accounts) || accounts.ValueKind != JsonValueKind.Array
            || accounts.GetArrayLength() == 0)
        {
            return CredentialSpecFindings.Invalid("credspec.ActiveDirectoryConfig.GroupManagedServiceAccounts", "must list at least one account");
        }

        var warnings = new List<string>();
        if (String(domain, "Guid") is { } guid && !Guid.TryParseExact(guid.Trim('{', '}'), "D", out _))
        {
            warnings.Add($"credspec.DomainJoinConfig.Guid {GoQuote.Quote(guid)} is not a GUID");
        }
        if (String(domain, "Sid") is { } sid && !SidPattern().IsMatch(sid))
        {
            warnings.Add($"credspec.DomainJoinConfig.Sid {GoQuote.Quote(sid)} is not a SID (S-1-…)");
        }
        if (!credspec.TryGetProperty("CmsPlugins", out var plugins) || plugins.ValueKind != JsonValueKind.Array
            || !plugins.EnumerateArray().Any(p => p.ValueKind == JsonValueKind.String && p.GetString() == "ActiveDirectory"))
        {
            warnings.Add("credspec.CmsPlugins does not contain \"ActiveDirectory\"");
        }
        if (ad.TryGetProperty("HostAccountConfig", out var host) && host.ValueKind == JsonValueKind.Object)
        {
            var missing = new[] { "PluginGUID", "PluginInput", "PortableCcgVersion" }.Where(f => string.IsNullOrEmpty(String(host, f))).ToList();
            if (missing.Count > 0)
            {
                warnings.Add($"credspec.ActiveDirectoryConfig.HostAccountConfig is incomplete: missing {string.Join(", ", missing)}");
            }
        }
        return new CredentialSpecFindings(null, null, warnings);
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^S-1-\d+(-\d+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex SidPattern();
}

/// <summary>Result of <see cref="CredentialSpecValidator.Check"/>: <see cref="Field"/>/<see cref="Problem"/> set when the document can never work.</summary>
public sealed record CredentialSpecFindings(string? Field, string? Problem, IReadOnlyList<string> Warnings)
{
    public static CredentialSpecFindings Invalid(string field, string problem) => new(field, problem, []);
}
