using System.Text.Json;
using System.Text.Json.Nodes;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Operator.Generation;
using GmsaOperator.Webhooks.Admission;

namespace GmsaOperator.Operator.Cli.CredentialSpecs;

/// <summary>Who may use the converted credential spec: <c>--with-binding NAMESPACE:SA[,SA…]</c>.</summary>
public sealed record BindingRequest(string Namespace, IReadOnlyList<string> ServiceAccounts)
{
    /// <summary>Parses <c>NAMESPACE:SA[,SA…]</c>; a wrong value is a <see cref="CredentialSpecInputException"/>.</summary>
    public static BindingRequest Parse(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new CredentialSpecInputException($"--with-binding {Quote(text)} must be NAMESPACE:SERVICEACCOUNT[,SERVICEACCOUNT…], e.g. default:webapp1.");
        }
        var ns = text[..colon];
        if (!ObjectNames.IsDns1123Label(ns))
        {
            throw new CredentialSpecInputException($"--with-binding namespace {Quote(ns)} is not a valid namespace name; did you mean {Quote(ObjectNames.Suggest(ns).Replace('.', '-'))}?");
        }
        var accounts = text[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (accounts.Count == 0)
        {
            throw new CredentialSpecInputException($"--with-binding {Quote(text)} names no service account.");
        }
        foreach (var account in accounts.Where(a => !ObjectNames.IsDns1123Subdomain(a)))
        {
            throw new CredentialSpecInputException($"--with-binding service account {Quote(account)} is not a valid name; did you mean {Quote(ObjectNames.Suggest(account))}?");
        }
        return new BindingRequest(ns, accounts);
    }

    private static string Quote(string s) => $"'{s}'";
}

/// <summary>The YAML to apply, the credspec name chosen and warnings for stderr.</summary>
public sealed record CredentialSpecConversion(string Yaml, string Name, IReadOnlyList<string> Warnings);

/// <summary>
/// Turns the JSON <c>New-CredentialSpec</c> writes into a <c>windows.k8s.io/v1</c> GMSACredentialSpec (and optionally
/// a GmsaBinding) as YAML. Validation is the admission check's own (<see cref="CredentialSpecValidator.Check"/>), so
/// what converts cleanly is what the webhook accepts. Pure: bytes in, text out.
/// </summary>
public static class CredentialSpecConverter
{
    public static CredentialSpecConversion Convert(ReadOnlySpan<byte> input, string source, string? name = null, BindingRequest? binding = null)
    {
        var text = CredentialSpecText.Decode(input, source);
        JsonNode? node;
        try
        {
            // Duplicate names are an error (which one would win is a guess), as is anything but plain JSON.
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            throw new CredentialSpecInputException($"{source} is not valid JSON{where}: {FirstSentence(e.Message)}.");
        }
        if (node is not JsonObject credspec)
        {
            throw new CredentialSpecInputException($"{source} must contain a JSON object (the credential spec), not {Describe(node)}.");
        }
        using var document = JsonDocument.Parse(credspec.ToJsonString());
        var findings = CredentialSpecValidator.Check(document.RootElement);
        if (findings.Field is { } field)
        {
            // The input is the credspec document itself, so name its fields without the resource's "credspec." prefix.
            var inputField = field.StartsWith("credspec.", StringComparison.Ordinal) ? field["credspec.".Length..] : field;
            throw new CredentialSpecInputException($"{source} is not a usable credential spec: {inputField} {findings.Problem}.");
        }

        var chosen = ChooseName(name, document.RootElement, source);
        var warnings = new List<string>(findings.Warnings);
        // Left out of the YAML: the API server would silently drop them, and kubectl's validation refuses them.
        warnings.AddRange(SchemaPruning.Prune(credspec)
            .Select(path => $"{path} is not in the GMSACredentialSpec schema and was left out (the API server would drop it)"));

        var resource = new JsonObject
        {
            ["apiVersion"] = $"{GmsaCredentialSpec.ApiGroup}/{GmsaCredentialSpec.StorageVersion}",
            ["kind"] = GmsaCredentialSpec.EntityKind,
            ["metadata"] = new JsonObject { ["name"] = chosen },
            ["credspec"] = credspec,
        };
        var yaml = YamlWriter.Write(resource);
        if (binding is not null)
        {
            yaml += "---\n" + YamlWriter.Write(new GmsaBinding
            {
                Metadata = new k8s.Models.V1ObjectMeta { Name = chosen, NamespaceProperty = binding.Namespace },
                Spec = new GmsaBindingSpec { CredentialSpecName = chosen, ServiceAccounts = [.. binding.ServiceAccounts] },
            });
        }
        return new CredentialSpecConversion(yaml, chosen, warnings);
    }

    /// <summary>The given name if valid, else <c>gmsa-</c> + the lower-cased machine account name.</summary>
    public static string ChooseName(string? name, JsonElement credspec, string source)
    {
        if (name is not null)
        {
            if (ObjectNames.IsDns1123Subdomain(name)) return name;
            var suggestion = ObjectNames.Suggest(name);
            throw new CredentialSpecInputException(suggestion.Length > 0
                ? $"--name '{name}' is not a valid object name (lower-case letters, digits, '-' and '.' only; RBAC resourceNames are case-sensitive); use '{suggestion}'."
                : $"--name '{name}' is not a valid object name (lower-case letters, digits, '-' and '.' only).");
        }
        var account = credspec.GetProperty("DomainJoinConfig") is var domain && domain.TryGetProperty("MachineAccountName", out var m)
                      && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        if (string.IsNullOrWhiteSpace(account))
        {
            throw new CredentialSpecInputException($"{source} has no DomainJoinConfig.MachineAccountName to derive a name from; pass --name.");
        }
        var derived = ObjectNames.Suggest("gmsa-" + account);
        return ObjectNames.IsDns1123Subdomain(derived)
            ? derived
            : throw new CredentialSpecInputException($"cannot derive a valid name from MachineAccountName '{account}'; pass --name.");
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => "a boolean",
        },
        _ => "something else",
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        var first = end < 0 ? message : message[..(end + 1)];
        return first.EndsWith('.') ? first[..^1] : first;
    }
}
