using GmsaOperator.Webhooks.Authorization;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// <c>/validate</c>: on CREATE every block with a name needs a successful SubjectAccessReview for the pod's service
/// account and, if contents are set, contents equal to the credspec; contents without a name are rejected. On UPDATE
/// GMSA names and contents are immutable (including removal of a whole block); ephemeral containers added through
/// <c>pods/ephemeralcontainers</c> get the CREATE checks. First failure wins; one SAR per distinct credspec per request.
/// </summary>
public sealed class PodValidator(CredentialSpecResolver resolver, IAccessReviewer reviewer)
{
    public async ValueTask<AdmissionResult> ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind?.Kind != "Pod") return AdmissionResult.Deny(AdmissionErrors.NotAPod(request.Kind?.Kind));
        if (!PodDecoder.TryDecode(request.RawObject, out var pod, out var decodeError)) return AdmissionResult.Deny(decodeError!);

        switch (request.Operation)
        {
            case "CREATE":
                return await ValidateCreateAsync(pod, request.Namespace ?? "", GmsaBlock.Enumerate(pod), cancellationToken).ConfigureAwait(false);
            case "UPDATE":
                if (!PodDecoder.TryDecode(request.RawOldObject, out var oldPod, out var oldError)) return AdmissionResult.Deny(oldError!);
                if (CheckImmutable(pod, oldPod) is { } changed) return AdmissionResult.Deny(changed);
                var added = AddedEphemeralContainers(pod, oldPod);
                return await ValidateCreateAsync(pod, request.Namespace ?? "", added, cancellationToken).ConfigureAwait(false);
            default:
                return AdmissionResult.Deny(AdmissionErrors.UnexpectedOperation(request.Operation));
        }
    }

    private async ValueTask<AdmissionResult> ValidateCreateAsync(PodObject pod, string @namespace, IEnumerable<GmsaBlock> blocks, CancellationToken cancellationToken)
    {
        var serviceAccount = pod.Spec?.ServiceAccountName ?? "";
        var decisions = new Dictionary<string, AccessDecision>(StringComparer.Ordinal);
        var subjectChecked = false;
        foreach (var block in blocks)
        {
            if (block.Name is { } name)
            {
                // Names the API server never lets through mean a forged body: refused before any cache or API use.
                if (!subjectChecked && InvalidSubject(pod, @namespace, serviceAccount) is { } badSubject) return AdmissionResult.Deny(badSubject);
                subjectChecked = true;
                if (AdmissionNames.InvalidSubdomain(name) is { } badName) return AdmissionResult.Deny(AdmissionErrors.InvalidCredSpecName(block, badName));
                if (!decisions.TryGetValue(name, out var decision))
                {
                    decision = await reviewer.CanUseCredentialSpecAsync(AccessSubject.ForServiceAccount(@namespace, serviceAccount), @namespace, name, cancellationToken).ConfigureAwait(false);
                    decisions[name] = decision;
                }
                if (!decision.Allowed) return AdmissionResult.Deny(AdmissionErrors.NotAuthorized(serviceAccount, name, decision.Reason));

                if (block.Contents is { } contents)
                {
                    var (expected, error) = await resolver.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
                    if (error is not null) return AdmissionResult.Deny(error);
                    var comparison = GoJsonEquality.Compare(contents, expected!, out var parseError);
                    if (comparison == GoJsonEquality.Outcome.TooDeep) return AdmissionResult.Deny(AdmissionErrors.ContentsTooDeep(block, GoJsonEquality.MaxDepth));
                    if (comparison != GoJsonEquality.Outcome.Equal) return AdmissionResult.Deny(AdmissionErrors.ContentsMismatch(block, name, parseError));
                }
            }
            else if (block.Contents is not null)
            {
                return AdmissionResult.Deny(AdmissionErrors.ContentsWithoutName(block));
            }
        }
        return AdmissionResult.Allow();
    }

    /// <summary>
    /// The namespace must be a namespace name and a set service account a service-account name. An empty one is left to
    /// the access review (which denies it), as upstream.
    /// </summary>
    private static AdmissionError? InvalidSubject(PodObject pod, string @namespace, string serviceAccount)
    {
        if (AdmissionNames.InvalidNamespace(@namespace) is { } badNamespace) return AdmissionErrors.InvalidNamespace(badNamespace);
        if (serviceAccount.Length > 0 && AdmissionNames.InvalidSubdomain(serviceAccount) is { } badAccount)
        {
            return AdmissionErrors.InvalidServiceAccountName(pod.Metadata?.Name ?? "", badAccount);
        }
        return null;
    }

    /// <summary>
    /// Compares every block of the new pod with the old one of the same kind and name (missing = empty), then every old
    /// block that disappeared (upstream misses removals). Added ephemeral containers are checked as CREATE instead.
    /// </summary>
    public static AdmissionError? CheckImmutable(PodObject pod, PodObject oldPod)
    {
        var oldBlocks = GmsaBlock.Enumerate(oldPod, includeAbsent: true).ToList();
        var newBlocks = GmsaBlock.Enumerate(pod, includeAbsent: true).ToList();
        foreach (var block in newBlocks)
        {
            var old = Find(oldBlocks, block);
            if (old is null && block.Kind == GmsaBlockKind.EphemeralContainer) continue;
            if (Compare(block, old) is { } error) return error;
        }
        foreach (var old in oldBlocks)
        {
            if (Find(newBlocks, old) is null && Compare(old with { Name = null, Contents = null }, old) is { } error) return error;
        }
        return null;
    }

    private static IEnumerable<GmsaBlock> AddedEphemeralContainers(PodObject pod, PodObject oldPod)
    {
        var oldBlocks = GmsaBlock.Enumerate(oldPod, includeAbsent: true).ToList();
        return GmsaBlock.Enumerate(pod).Where(b => b.Kind == GmsaBlockKind.EphemeralContainer && Find(oldBlocks, b) is null);
    }

    private static GmsaBlock? Find(List<GmsaBlock> blocks, GmsaBlock block) =>
        blocks.FirstOrDefault(b => b.Kind == block.Kind && (b.Kind == GmsaBlockKind.Pod || b.ResourceName == block.ResourceName));

    private static AdmissionError? Compare(GmsaBlock current, GmsaBlock? old)
    {
        var nameChanged = !string.Equals(current.Name, old?.Name, StringComparison.Ordinal);
        var contentsChanged = !string.Equals(current.Contents, old?.Contents, StringComparison.Ordinal);
        if (!nameChanged && !contentsChanged) return null;
        var what = nameChanged && contentsChanged ? "name and contents" : nameChanged ? "name" : "contents";
        return AdmissionErrors.GmsaModified(what, current);
    }
}
