namespace GmsaOperator.Runtime.Metrics.Security;

/// <summary>Who is asking for the metrics, as the API server's TokenReview authenticated them.</summary>
public sealed record MetricsCaller(string User, IReadOnlyList<string> Groups, string? Uid = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null)
{
    /// <summary>A stable key of everything an authorizer looks at (user, uid, groups, extra).</summary>
    public string CacheKey =>
        string.Join('\u0000', new[] { User, Uid ?? "", string.Join('\u0001', Groups) }
            .Concat(Extra?.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + '\u0002' + string.Join('\u0001', kv.Value)) ?? []));
}

/// <summary>Authenticates a bearer token (a TokenReview in a cluster); <c>null</c> when the token is not valid.</summary>
public interface IMetricsAuthenticator
{
    /// <exception cref="Exception">The review itself failed (API server unreachable, forbidden…).</exception>
    Task<MetricsCaller?> AuthenticateAsync(string token, CancellationToken cancellationToken);
}

/// <summary>Decides whether a caller may use a verb on a non-resource path (a SubjectAccessReview in a cluster).</summary>
public interface IMetricsAuthorizer
{
    /// <exception cref="Exception">The review itself failed.</exception>
    Task<bool> IsAllowedAsync(MetricsCaller caller, string path, string verb, CancellationToken cancellationToken);
}
