namespace GmsaOperator.Webhooks.Authorization;

/// <summary>Who wants to <c>use</c> a credspec: a user with groups (and optionally uid/extra) as sent in a SubjectAccessReview.</summary>
public sealed record AccessSubject(string User, IReadOnlyList<string> Groups, string? Uid = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null)
{
    /// <summary>The pod's service account exactly as upstream's SubjectAccessReview names it: user and the two service-account groups, no uid/extra.</summary>
    public static AccessSubject ForServiceAccount(string @namespace, string serviceAccount) =>
        new($"system:serviceaccount:{@namespace}:{serviceAccount}", ["system:serviceaccounts", $"system:serviceaccounts:{@namespace}"]);
}

/// <summary>An authorisation decision; <see cref="Reason"/> is the authorizer's reason (may be empty).</summary>
public readonly record struct AccessDecision(bool Allowed, string Reason)
{
    /// <summary>
    /// When the review that made this decision was sent, if that was before the caller asked (an allowed answer of a
    /// review already in flight, shared with a later caller); null when the review was sent after the caller asked.
    /// A cache counts reuse from the earlier of the two, so no answer is reused longer than its TTL after it was asked.
    /// </summary>
    public DateTimeOffset? ReviewSentAt { get; init; }
}

/// <summary>Asks the API server whether a subject may <c>use</c> a named GMSACredentialSpec in a namespace.</summary>
public interface IAccessReviewer
{
    ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken);
}
