using System.Text.Json;

namespace GmsaOperator.Webhooks.CredentialSpecs;

/// <summary>A read-only view of the operator's informer cache of GMSACredentialSpec objects.</summary>
public interface ICredentialSpecCache
{
    /// <summary>The cached object as JSON, if the cache holds one with that name.</summary>
    bool TryGet(string name, out JsonElement credentialSpecObject);
}

/// <summary>
/// Reads credspecs from the informer cache and falls back to a live GET on a miss, so a credspec created a moment ago
/// (not yet seen by the watch) never produces a false "does not exist".
/// </summary>
public sealed class CacheFirstCredentialSpecSource(ICredentialSpecCache cache, ICredentialSpecSource fallback) : ICredentialSpecSource
{
    public ValueTask<JsonElement?> GetAsync(string name, CancellationToken cancellationToken) =>
        cache.TryGet(name, out var cached) ? ValueTask.FromResult<JsonElement?>(cached) : fallback.GetAsync(name, cancellationToken);
}
