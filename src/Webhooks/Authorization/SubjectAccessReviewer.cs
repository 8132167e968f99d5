using GmsaOperator.Entities.Rbac;
using k8s;
using k8s.Models;

namespace GmsaOperator.Webhooks.Authorization;

/// <summary>
/// One LocalSubjectAccessReview per question, in the pod's (or binding's) namespace, with the upstream body:
/// verb <c>use</c>, group <c>windows.k8s.io</c>, version <c>v1</c>, resource <c>gmsacredentialspecs</c>, the name.
/// A failed review is a denial with reason <c>error when checking authz access: …</c> (default deny).
/// </summary>
[RequiresPermission("authorization.k8s.io", "localsubjectaccessreviews", "create", Reason = "may the pod's service account (or the GmsaBinding's author) use the credential spec")]
public sealed class SubjectAccessReviewer(IKubernetes client) : IAccessReviewer
{
    public async ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken) =>
        await LocalAccessReview.SendAsync(client, BuildReview(subject, @namespace, credentialSpecName), cancellationToken).ConfigureAwait(false);

    /// <summary>The review body (public for tests that pin the exact upstream shape).</summary>
    public static V1LocalSubjectAccessReview BuildReview(AccessSubject subject, string @namespace, string credentialSpecName) =>
        LocalAccessReview.Build(subject, @namespace, new V1ResourceAttributes
        {
            NamespaceProperty = @namespace,
            Verb = "use",
            Group = "windows.k8s.io",
            Version = "v1",
            Resource = "gmsacredentialspecs",
            Name = credentialSpecName,
        });
}
