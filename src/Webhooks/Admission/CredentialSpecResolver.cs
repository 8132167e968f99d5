using System.Runtime.InteropServices;
using System.Text.Json;
using GmsaOperator.Webhooks.CredentialSpecs;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>Looks a credspec up and turns it into its canonical JSON text, or into upstream's error for it.</summary>
/// <remarks>
/// Canonical texts are remembered for the last <paramref name="maxRemembered"/> credspecs resolved, keyed by the object's
/// exact JSON: canonicalising (sorting every object's keys) was a third of what a pod admission allocated, for a result
/// that only changes when the credspec does. Any change to the object, its resourceVersion included, misses.
/// </remarks>
public sealed class CredentialSpecResolver(ICredentialSpecSource source, int maxRemembered = CredentialSpecResolver.MaxRemembered)
{
    public const int MaxRemembered = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (JsonElement Resource, string Contents)> _remembered = new(StringComparer.Ordinal);

    /// <summary>How many canonical texts are held now (never more than the bound).</summary>
    public int RememberedCount { get { lock (_lock) return _remembered.Count; } }

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
        return Remembered(name, resource) is { } contents ? (contents, null) : Remember(name, resource);
    }

    private string? Remembered(string name, JsonElement resource)
    {
        lock (_lock)
        {
            return _remembered.TryGetValue(name, out var held)
                   && JsonMarshal.GetRawUtf8Value(held.Resource).SequenceEqual(JsonMarshal.GetRawUtf8Value(resource))
                ? held.Contents
                : null;
        }
    }

    private (string? Contents, AdmissionError? Error) Remember(string name, JsonElement resource)
    {
        var result = Canonicalize(name, resource);
        if (result.Contents is not { } contents) return result;
        lock (_lock)
        {
            // Forgetting everything at the bound keeps this simple and bounded; the hot ones come back on next use.
            if (_remembered.Count >= maxRemembered && !_remembered.ContainsKey(name)) _remembered.Clear();
            _remembered[name] = (resource, contents);
        }
        return result;
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
