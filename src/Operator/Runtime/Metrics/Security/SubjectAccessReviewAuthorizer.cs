using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Metrics.Security;

/// <summary>
/// Authorises with a SubjectAccessReview on a non-resource URL (<c>get /metrics</c>), as controller-runtime's metrics
/// filter does. Needs <c>create</c> on <c>authorization.k8s.io/subjectaccessreviews</c>.
/// </summary>
public sealed class SubjectAccessReviewAuthorizer(IKubernetes client) : IMetricsAuthorizer
{
    public async Task<bool> IsAllowedAsync(MetricsCaller caller, string path, string verb, CancellationToken cancellationToken)
    {
        var result = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(BuildReview(caller, path, verb), cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Status is { Allowed: true, Denied: not true };
    }

    /// <summary>The review body (public for tests that pin its shape).</summary>
    public static V1SubjectAccessReview BuildReview(MetricsCaller caller, string path, string verb) => new()
    {
        ApiVersion = "authorization.k8s.io/v1",
        Kind = "SubjectAccessReview",
        Spec = new V1SubjectAccessReviewSpec
        {
            User = caller.User,
            Groups = [.. caller.Groups],
            Uid = string.IsNullOrEmpty(caller.Uid) ? null : caller.Uid,
            Extra = caller.Extra?.ToDictionary(kv => kv.Key, kv => (IList<string>)[.. kv.Value]),
            NonResourceAttributes = new V1NonResourceAttributes { Path = path, Verb = verb },
        },
    };
}
