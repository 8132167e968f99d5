using System.Text.Json;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Webhooks.CredentialSpecs;
using k8s;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Serves the webhooks' credential-spec lookups from the runtime's informer cache (live GET on a miss is the webhooks' job).</summary>
/// <remarks>
/// The JSON rendering of a credspec is kept for the credspecs admission actually reads, at most
/// <see cref="MaxRenderings"/> of them: a rendering costs about twice the object's size, and a cluster with 10,000
/// credspecs reads only a few of them per pod, so one rendering per cached object would double the credspecs' memory
/// for nothing. Cached objects are replaced, never mutated, on every watch event, so a rendering is valid while its
/// instance is the cached one.
/// </remarks>
public sealed class InformerCredentialSpecCache(IObjectCache cache, int maxRenderings = InformerCredentialSpecCache.MaxRenderings) : ICredentialSpecCache
{
    public const int MaxRenderings = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (GmsaCredentialSpec Source, JsonElement Json)> _renderings = new(StringComparer.Ordinal);

    /// <summary>How many renderings are held now (never more than the bound).</summary>
    internal int RenderingCount { get { lock (_lock) return _renderings.Count; } }

    public bool TryGet(string name, out JsonElement credentialSpecObject)
    {
        var spec = cache.Get<GmsaCredentialSpec>(new ObjectKey(null, name));
        if (spec is null)
        {
            credentialSpecObject = default;
            return false;
        }

        lock (_lock)
        {
            if (_renderings.TryGetValue(name, out var held) && ReferenceEquals(held.Source, spec))
            {
                credentialSpecObject = held.Json;
                return true;
            }
        }

        // Rendered outside the lock; two requests racing on the same new instance render it twice, harmlessly.
        credentialSpecObject = JsonDocument.Parse(KubernetesJson.Serialize(spec)).RootElement.Clone();
        lock (_lock)
        {
            // Forgetting every rendering at the bound keeps this simple and bounded; the hot ones come back on next use.
            if (_renderings.Count >= maxRenderings && !_renderings.ContainsKey(name)) _renderings.Clear();
            _renderings[name] = (spec, credentialSpecObject);
        }
        return true;
    }
}
