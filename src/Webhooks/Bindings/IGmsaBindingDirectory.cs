using GmsaOperator.Entities.Bindings;

namespace GmsaOperator.Webhooks.Bindings;

/// <summary>
/// Which GmsaBindings grant a service account a credential spec, for admission-time options carried by bindings.
/// Answers from a cache: admission must not add an API round trip per pod, and an unknown answer means "no options".
/// </summary>
public interface IGmsaBindingDirectory
{
    /// <summary>Bindings in <paramref name="namespace"/> naming <paramref name="credentialSpecName"/> and listing <paramref name="serviceAccount"/>, ordered by name.</summary>
    IReadOnlyList<GmsaBinding> Granting(string @namespace, string serviceAccount, string credentialSpecName);
}

/// <summary>No bindings known: the webhooks outside the operator (tests, tools) behave as if no binding asked for anything.</summary>
public sealed class NoGmsaBindings : IGmsaBindingDirectory
{
    public IReadOnlyList<GmsaBinding> Granting(string @namespace, string serviceAccount, string credentialSpecName) => [];
}
