using System.Text.Json;
using GmsaOperator.Webhooks.CredentialSpecs;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>Looks a credspec up and turns it into its canonical JSON text, or into upstream's error for it.</summary>
public sealed class CredentialSpecResolver(ICredentialSpecSource source)
{
    public async ValueTask<(string? Contents, AdmissionError? Error)> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        // A name no object can have is never looked up (a forged body could otherwise send megabyte-long names to the API).
        if (AdmissionNames.InvalidSubdomain(name) is { } invalid) return (null, AdmissionErrors.InvalidCredSpecName(invalid));
        JsonElement? found;
        try
        {
            found = await source.GetAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialSpecLookupException e)
        {
            return (null, AdmissionErrors.CredSpecUnretrievable(name, e.Message));
        }
        if (found is not { } resource) return (null, AdmissionErrors.CredSpecNotFound(name));
        return Canonicalize(name, resource);
    }

    /// <summary>The canonical <c>credspec</c> of a GMSACredentialSpec object, or the "no credspec" error when it has none.</summary>
    public static (string? Contents, AdmissionError? Error) Canonicalize(string name, JsonElement resource)
    {
        if (resource.ValueKind != JsonValueKind.Object
            || !resource.TryGetProperty("credspec", out var credspec)
            || credspec.ValueKind == JsonValueKind.Null
            || (credspec.ValueKind == JsonValueKind.String && credspec.GetString() == ""))
        {
            return (null, AdmissionErrors.CredSpecWithoutKey(name));
        }
        try
        {
            return (CanonicalJson.Serialize(credspec), null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return (null, AdmissionErrors.CredSpecNotMarshallable(name, e.Message));
        }
    }
}
