using k8s;
using k8s.Models;

namespace GmsaOperator.Webhooks.Authorization;

/// <summary>Builds and sends one LocalSubjectAccessReview; a failed review is a denial (default deny).</summary>
internal static class LocalAccessReview
{
    public static V1LocalSubjectAccessReview Build(AccessSubject subject, string @namespace, V1ResourceAttributes attributes) => new()
    {
        ApiVersion = "authorization.k8s.io/v1",
        Kind = "LocalSubjectAccessReview",
        Metadata = new V1ObjectMeta { NamespaceProperty = @namespace },
        Spec = new V1SubjectAccessReviewSpec
        {
            User = subject.User,
            Groups = subject.Groups.ToList(),
            Uid = string.IsNullOrEmpty(subject.Uid) ? null : subject.Uid,
            Extra = subject.Extra?.ToDictionary(kv => kv.Key, kv => (IList<string>)kv.Value.ToList()),
            ResourceAttributes = attributes,
        },
    };

    public static async Task<AccessDecision> SendAsync(IKubernetes client, V1LocalSubjectAccessReview review, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.AuthorizationV1.CreateNamespacedLocalSubjectAccessReviewAsync(review, review.Metadata.NamespaceProperty,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var status = result.Status;
            return new AccessDecision(status is { Allowed: true, Denied: not true }, status?.Reason ?? "");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new AccessDecision(false, $"error when checking authz access: {e.Message}");
        }
    }
}
