using GmsaOperator.Entities.Bindings;

namespace GmsaOperator.Webhooks.Bindings;

/// <summary>
/// Which GmsaBindings grant a service account a credential spec, for admission-time options carried by bindings.
/// Answers from a cache (admission must not add an API round trip per pod); only while that cache is still loading
/// may an answer come from the API server.
/// </summary>
public interface IGmsaBindingDirectory
{
    /// <summary>
    /// Bindings in <paramref name="namespace"/> naming <paramref name="credentialSpecName"/> and listing
    /// <paramref name="serviceAccount"/>, ordered by name; null when they could not be read (admission then refuses
    /// rather than guess which options apply).
    /// </summary>
    ValueTask<IReadOnlyList<GmsaBinding>?> GrantingAsync(string @namespace, string serviceAccount, string credentialSpecName, CancellationToken cancellationToken);
}

/// <summary>No bindings known: the webhooks outside the operator (tests, tools) behave as if no binding asked for anything.</summary>
public sealed class NoGmsaBindings : IGmsaBindingDirectory
{
    public ValueTask<IReadOnlyList<GmsaBinding>?> GrantingAsync(string @namespace, string serviceAccount, string credentialSpecName, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<GmsaBinding>?>([]);
}
