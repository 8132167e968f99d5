using k8s;
using k8s.Models;

namespace GmsaOperator.Runtime.Metrics.Security;

/// <summary>
/// Authenticates a bearer token with a TokenReview (no audiences: the API server's own), as controller-runtime's
/// metrics filter does. Needs <c>create</c> on <c>authentication.k8s.io/tokenreviews</c>.
/// </summary>
public sealed class TokenReviewAuthenticator(IKubernetes client) : IMetricsAuthenticator
{
    public async Task<MetricsCaller?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        var review = new V1TokenReview
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenReview",
            Spec = new V1TokenReviewSpec { Token = token },
        };
        var result = await client.AuthenticationV1.CreateTokenReviewAsync(review, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Caller(result.Status);
    }

    /// <summary>The caller an answered review names, or null when it did not authenticate anyone.</summary>
    public static MetricsCaller? Caller(V1TokenReviewStatus? status) =>
        status is { Authenticated: true, User.Username: { Length: > 0 } user }
            ? new MetricsCaller(user, [.. status.User.Groups ?? []], status.User.Uid,
                status.User.Extra?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value ?? []], StringComparer.Ordinal))
            : null;
}
