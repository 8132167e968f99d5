using GmsaOperator.Entities.Bindings;

namespace GmsaOperator.Webhooks.Bindings;

/// <summary>
/// The bindings granting one pod's service account each credential spec it names, for the span of one admission: every
/// part of the admission that reads bindings (secure-channel repair, pod tracking) asks here, so each credspec is looked
/// up once. While the binding cache is loading a lookup is a namespaced list from the API server, so asking twice would
/// cost two.
/// </summary>
public sealed class PodGrants(IGmsaBindingDirectory directory, string @namespace, string serviceAccount)
{
    private Dictionary<string, IReadOnlyList<GmsaBinding>>? _answers;

    public string Namespace { get; } = @namespace;

    public string ServiceAccount { get; } = serviceAccount;

    /// <summary>Bindings granting <see cref="ServiceAccount"/> <paramref name="credentialSpecName"/>, ordered by name; null when they could not be read.</summary>
    public async ValueTask<IReadOnlyList<GmsaBinding>?> GrantingAsync(string credentialSpecName, CancellationToken cancellationToken)
    {
        if (_answers?.TryGetValue(credentialSpecName, out var known) == true) return known;
        // An unreadable answer is not kept: the admission is refused on the first one anyway.
        if (await directory.GrantingAsync(Namespace, ServiceAccount, credentialSpecName, cancellationToken).ConfigureAwait(false) is not { } granting) return null;
        (_answers ??= new Dictionary<string, IReadOnlyList<GmsaBinding>>(StringComparer.Ordinal))[credentialSpecName] = granting;
        return granting;
    }
}
