using System.Runtime.CompilerServices;
using System.Text.Json;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Webhooks.CredentialSpecs;
using k8s;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Serves the webhooks' credential-spec lookups from the runtime's informer cache (live GET on a miss is the webhooks' job).</summary>
public sealed class InformerCredentialSpecCache(IObjectCache cache) : ICredentialSpecCache
{
    // Cached objects are replaced, never mutated, on every watch event, so one JSON rendering per instance is enough.
    private readonly ConditionalWeakTable<GmsaCredentialSpec, StrongBox<JsonElement>> _json = new();

    public bool TryGet(string name, out JsonElement credentialSpecObject)
    {
        var spec = cache.Get<GmsaCredentialSpec>(new ObjectKey(null, name));
        if (spec is null)
        {
            credentialSpecObject = default;
            return false;
        }

        credentialSpecObject = _json.GetValue(spec, static s => new StrongBox<JsonElement>(
            JsonDocument.Parse(KubernetesJson.Serialize(s)).RootElement.Clone())).Value;
        return true;
    }
}
