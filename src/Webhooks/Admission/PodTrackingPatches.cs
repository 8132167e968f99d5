using System.Text;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Webhooks.Bindings;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// The extra JSON-patch ops for a pod created under a GmsaBinding that tracks pods: the tracked label and the
/// per-credspec contents hashes. Nothing at all when no granting binding asks for it, so clusters that do not opt in
/// keep upstream's patches byte for byte.
/// </summary>
public sealed class PodTrackingPatches
{
    /// <summary>
    /// True when a binding granting the pod's service account one of <paramref name="credentialSpecNames"/> asks for
    /// tracking; null when the namespace's bindings could not be read (the caller must not guess).
    /// </summary>
    public async ValueTask<bool?> AppliesAsync(PodGrants grants, IEnumerable<string> credentialSpecNames, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(grants.Namespace)) return false;
        foreach (var name in credentialSpecNames)
        {
            if (await grants.GrantingAsync(name, cancellationToken).ConfigureAwait(false) is not { } granting) return null;
            foreach (var binding in granting)
            {
                if (binding.Spec.TracksPods()) return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Ops adding the label and the hashes annotation (name → hash of the canonical contents, sorted by name). A
    /// caller-supplied value of either is replaced: <c>add</c> onto an existing member replaces it.
    /// </summary>
    public static IReadOnlyList<string> Ops(PodMetadata? metadata, IReadOnlyDictionary<string, string> canonicalByName)
    {
        var hashes = new StringBuilder("{");
        var first = true;
        foreach (var name in canonicalByName.Keys.Order(StringComparer.Ordinal))
        {
            if (!first) hashes.Append(',');
            first = false;
            CanonicalJson.WriteString(hashes, name);
            hashes.Append(':');
            CanonicalJson.WriteString(hashes, ContentsHash.Of(canonicalByName[name]));
        }
        var hashesText = hashes.Append('}').ToString();
        return
        [
            AddMember("/metadata/labels", metadata?.Labels is not null, PodTracking.TrackedLabel, PodTracking.TrackedValue),
            AddMember("/metadata/annotations", metadata?.Annotations is not null, PodTracking.HashesAnnotation, hashesText),
        ];
    }

    /// <summary>JSON patch cannot add into a missing map: add the whole map when absent, else the one member (RFC 6901 escaped).</summary>
    private static string AddMember(string mapPath, bool mapExists, string key, string value)
    {
        var sb = new StringBuilder("{\"op\":\"add\",\"path\":");
        if (mapExists)
        {
            CanonicalJson.WriteString(sb, mapPath + "/" + key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
            sb.Append(",\"value\":");
            CanonicalJson.WriteString(sb, value);
        }
        else
        {
            CanonicalJson.WriteString(sb, mapPath);
            sb.Append(",\"value\":{");
            CanonicalJson.WriteString(sb, key);
            sb.Append(':');
            CanonicalJson.WriteString(sb, value);
            sb.Append('}');
        }
        return sb.Append('}').ToString();
    }
}
