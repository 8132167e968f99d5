using System.Text;
using GmsaOperator.Webhooks.Bindings;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// <c>/mutate</c>: expands every <c>gmsaCredentialSpecName</c> without contents (pod, containers, init and ephemeral
/// containers) into the canonical credspec JSON with upstream-shaped JSON-patch <c>add</c> ops. Preset contents are
/// never touched (the validator checks them). No authorisation here, as upstream.
/// </summary>
/// <param name="secureChannelRepair">Adds the binding-requested secure-channel repair hooks on CREATE; none when null.</param>
public sealed class PodMutator(CredentialSpecResolver resolver, bool randomHostname, Func<string>? hostnameGenerator = null, SecureChannelRepair? secureChannelRepair = null)
{
    private readonly Func<string> _hostname = hostnameGenerator ?? RandomHostname.Generate;

    /// <summary>Labels pods of bindings that track pods (see <see cref="PodTrackingPatches"/>); null: never.</summary>
    public PodTrackingPatches? Tracking { get; init; }

    /// <summary>Where the secure-channel repair and tracking find the bindings granting a pod's service account; none by default.</summary>
    public IGmsaBindingDirectory Bindings { get; init; } = new NoGmsaBindings();

    public async ValueTask<AdmissionResult> MutateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind?.Kind != "Pod") return AdmissionResult.Deny(AdmissionErrors.NotAPod(request.Kind?.Kind));
        if (!PodDecoder.TryDecode(request.RawObject, out var pod, out var decodeError)) return AdmissionResult.Deny(decodeError!);

        switch (request.Operation)
        {
            case "CREATE":
                return await ExpandAsync(pod, GmsaBlock.Enumerate(pod), allowHostname: true, cancellationToken, request.Namespace).ConfigureAwait(false);
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

    /// <param name="createNamespace">Set on CREATE only: the namespace whose bindings may ask for the secure-channel repair or pod tracking.</param>
    private async ValueTask<AdmissionResult> ExpandAsync(PodObject pod, IEnumerable<GmsaBlock> blocks, bool allowHostname, CancellationToken cancellationToken,
        string? createNamespace = null)
    {
        var patches = new List<(string Path, string Value)>();
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        // Every credspec name the blocks use, once each in pod order: what the repair and tracking look up.
        var names = new List<string>();
        foreach (var block in blocks)
        {
            if (block.Name is not { } name) continue;
            if (!names.Contains(name)) names.Add(name); // string equality is ordinal
            if (block.Contents is not null) continue;
            if (!resolved.TryGetValue(name, out var contents))
            {
                var (found, error) = await resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
                if (error is not null) return AdmissionResult.Deny(error);
                resolved[name] = contents = found!;
            }
            patches.Add((block.ContentsPatchPath, contents));
        }

        var hasGmsa = names.Count > 0;
        if (allowHostname && randomHostname && hasGmsa && string.IsNullOrEmpty(pod.Spec?.Hostname))
        {
            patches.Add(("/spec/hostname", _hostname()));
        }

        // One lookup per credspec for the whole admission, shared by the repair and tracking.
        var grants = createNamespace is null ? null : new PodGrants(Bindings, createNamespace, pod.ServiceAccount);
        var repair = secureChannelRepair is not null && grants is not null && hasGmsa
            ? await secureChannelRepair.AmendAsync(grants, pod, names, name => resolved.GetValueOrDefault(name), cancellationToken).ConfigureAwait(false)
            : SecureChannelRepairPatch.None;
        if (repair is null) return AdmissionResult.Deny(AdmissionErrors.BindingsUnreadable(createNamespace!));
        var tracking = grants is null ? [] : await TrackingOpsAsync(pod, names, grants, resolved, cancellationToken).ConfigureAwait(false);
        if (tracking is null) return AdmissionResult.Deny(AdmissionErrors.BindingsUnreadable(createNamespace!));
        return patches.Count == 0 && repair.Operations.Count == 0 && tracking.Count == 0
            ? AdmissionResult.Allow(repair.Warnings)
            : AdmissionResult.AllowWithPatch(WritePatch(patches, repair.Operations, tracking), repair.Warnings);
    }

    /// <summary>Tracking ops after the upstream ones; preset contents are hashed as the credspec's canonical contents they were validated against.</summary>
    /// <returns>Null when the namespace's bindings could not be read.</returns>
    private async ValueTask<IReadOnlyList<string>?> TrackingOpsAsync(PodObject pod, IReadOnlyList<string> names, PodGrants grants, Dictionary<string, string> resolved,
        CancellationToken cancellationToken)
    {
        if (Tracking is null || names.Count == 0) return [];
        switch (await Tracking.AppliesAsync(grants, names, cancellationToken).ConfigureAwait(false))
        {
            case null: return null;
            case false: return [];
        }
        foreach (var name in names.Where(n => !resolved.ContainsKey(n)))
        {
            // Not resolvable: no hash for it (the validating webhook decides about such a pod).
            if ((await resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false)).Contents is { } contents) resolved[name] = contents;
        }
        return PodTrackingPatches.Ops(pod.Metadata, resolved);
    }

    /// <summary>The JSON-patch array exactly as Go marshals <c>[]map[string]string</c>: keys op, path, value; Go string escaping.</summary>
    public static byte[] WritePatch(IReadOnlyList<(string Path, string Value)> patches) => WritePatch(patches, [], []);

    /// <summary>
    /// As <see cref="WritePatch(IReadOnlyList{ValueTuple{string, string}})"/>, then <c>add</c> ops whose value is
    /// already-canonical JSON (objects), then <paramref name="rawOps"/> (already-serialised op objects), each written
    /// verbatim after the string ops.
    /// </summary>
    public static byte[] WritePatch(IReadOnlyList<(string Path, string Value)> patches, IReadOnlyList<(string Path, string Json)> objectPatches, IReadOnlyList<string> rawOps)
    {
        // Sized up front (escaping adds a little) so the text is one buffer, then encoded once: the patch of a pod is
        // mostly the credspec's contents, and this runs for every pod admitted.
        var capacity = 2;
        foreach (var (path, value) in patches) capacity += 40 + path.Length + value.Length + value.Length / 8;
        foreach (var (path, json) in objectPatches) capacity += 40 + path.Length + json.Length;
        foreach (var op in rawOps) capacity += 1 + op.Length;
        var sb = new StringBuilder(capacity);
        sb.Append('[');
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
        foreach (var (path, json) in objectPatches)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append("{\"op\":\"add\",\"path\":");
            CanonicalJson.WriteString(sb, path);
            sb.Append(",\"value\":").Append(json).Append('}');
        }
        foreach (var op in rawOps)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append(op);
        }
        sb.Append(']');
        return Utf8(sb);
    }

    /// <summary>The builder's text as UTF-8: straight from its buffer when the size estimate held (one chunk), else via a string.</summary>
    private static byte[] Utf8(StringBuilder sb)
    {
        foreach (var chunk in sb.GetChunks())
        {
            if (chunk.Length != sb.Length) break;
            var bytes = new byte[Encoding.UTF8.GetByteCount(chunk.Span)];
            Encoding.UTF8.GetBytes(chunk.Span, bytes);
            return bytes;
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
