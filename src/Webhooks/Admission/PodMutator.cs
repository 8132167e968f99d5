using System.Text;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// <c>/mutate</c>: expands every <c>gmsaCredentialSpecName</c> without contents (pod, containers, init and ephemeral
/// containers) into the canonical credspec JSON with upstream-shaped JSON-patch <c>add</c> ops. Preset contents are
/// never touched (the validator checks them). No authorisation here, as upstream.
/// </summary>
public sealed class PodMutator(CredentialSpecResolver resolver, bool randomHostname, Func<string>? hostnameGenerator = null)
{
    private readonly Func<string> _hostname = hostnameGenerator ?? RandomHostname.Generate;

    public async ValueTask<AdmissionResult> MutateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind?.Kind != "Pod") return AdmissionResult.Deny(AdmissionErrors.NotAPod(request.Kind?.Kind));
        if (!PodDecoder.TryDecode(request.Object, out var pod, out var decodeError)) return AdmissionResult.Deny(decodeError!);

        switch (request.Operation)
        {
            case "CREATE":
                return await ExpandAsync(pod, GmsaBlock.Enumerate(pod), allowHostname: true, cancellationToken).ConfigureAwait(false);
            case "UPDATE" when request.SubResource == "ephemeralcontainers":
                // kubectl debug adds ephemeral containers through this subresource: expand only those.
                var ephemeral = GmsaBlock.Enumerate(pod).Where(b => b.Kind == GmsaBlockKind.EphemeralContainer);
                return await ExpandAsync(pod, ephemeral, allowHostname: false, cancellationToken).ConfigureAwait(false);
            case "UPDATE":
                return AdmissionResult.Allow();
            default:
                return AdmissionResult.Deny(AdmissionErrors.UnexpectedOperation(request.Operation));
        }
    }

    private async ValueTask<AdmissionResult> ExpandAsync(PodObject pod, IEnumerable<GmsaBlock> blocks, bool allowHostname, CancellationToken cancellationToken)
    {
        var patches = new List<(string Path, string Value)>();
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasGmsa = false;
        foreach (var block in blocks)
        {
            if (block.Name is not { } name) continue;
            hasGmsa = true;
            if (block.Contents is not null) continue;
            if (!resolved.TryGetValue(name, out var contents))
            {
                var (found, error) = await resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
                if (error is not null) return AdmissionResult.Deny(error);
                resolved[name] = contents = found!;
            }
            patches.Add((block.ContentsPatchPath, contents));
        }

        if (allowHostname && randomHostname && hasGmsa && string.IsNullOrEmpty(pod.Spec?.Hostname))
        {
            patches.Add(("/spec/hostname", _hostname()));
        }

        return patches.Count == 0 ? AdmissionResult.Allow() : AdmissionResult.AllowWithPatch(WritePatch(patches));
    }

    /// <summary>The JSON-patch array exactly as Go marshals <c>[]map[string]string</c>: keys op, path, value; Go string escaping.</summary>
    public static byte[] WritePatch(IEnumerable<(string Path, string Value)> patches)
    {
        var sb = new StringBuilder("[");
        var first = true;
        foreach (var (path, value) in patches)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append("{\"op\":\"add\",\"path\":");
            CanonicalJson.WriteString(sb, path);
            sb.Append(",\"value\":");
            CanonicalJson.WriteString(sb, value);
            sb.Append('}');
        }
        return Encoding.UTF8.GetBytes(sb.Append(']').ToString());
    }
}
