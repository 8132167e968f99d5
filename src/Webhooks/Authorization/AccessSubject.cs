namespace GmsaOperator.Webhooks.Authorization;

/// <summary>Who wants to <c>use</c> a credspec: a user with groups (and optionally uid/extra) as sent in a SubjectAccessReview.</summary>
public sealed record AccessSubject(string User, IReadOnlyList<string> Groups, string? Uid = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null)
{
    /// <summary>The pod's service account exactly as upstream's SubjectAccessReview names it: user and the two service-account groups, no uid/extra.</summary>
    public static AccessSubject ForServiceAccount(string @namespace, string serviceAccount) =>
        new($"system:serviceaccount:{@namespace}:{serviceAccount}", ["system:serviceaccounts", $"system:serviceaccounts:{@namespace}"]);

    /// <summary>A stable text key for caching decisions (user, groups, uid and extra all matter).</summary>
    public string CacheKey =>
        string.Join('\u0000', new[] { User, Uid ?? "", string.Join('\u0001', Groups) }
            .Concat(Extra?.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + '\u0002' + string.Join('\u0001', kv.Value)) ?? []));

    /// <summary>The key of one question: may this subject use that credspec in that namespace (caching and coalescing).</summary>
    public string QuestionKey(string @namespace, string credentialSpecName) => string.Join('\u0003', CacheKey, @namespace, credentialSpecName);
}

/// <summary>An authorisation decision; <see cref="Reason"/> is the authorizer's reason (may be empty).</summary>
public readonly record struct AccessDecision(bool Allowed, string Reason);

/// <summary>Asks the API server whether a subject may <c>use</c> a named GMSACredentialSpec in a namespace.</summary>
public interface IAccessReviewer
{
    ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken);
}
