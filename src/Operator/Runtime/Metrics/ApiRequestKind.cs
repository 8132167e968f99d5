namespace GmsaOperator.Runtime.Metrics;

/// <summary>
/// The Kubernetes verb and resource of an API request, read from its method and path (<c>/api/v1/namespaces/ns/pods/x</c>,
/// <c>/apis/g/v/plural/name/status</c>): how many round trips the operator makes per kind, e.g. SubjectAccessReviews per
/// admission or requests per reconciled binding. Labels are bounded by the kinds the operator talks to.
/// </summary>
public readonly record struct ApiRequestKind(string Verb, string Resource)
{
    public static ApiRequestKind Of(string method, Uri? uri)
    {
        var segments = (uri?.AbsolutePath ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Skip the group/version prefix: /api/v1 or /apis/<group>/<version>.
        var rest = segments switch
        {
            ["api", _, .. var r] => r,
            ["apis", _, _, .. var r] => r,
            _ => null,
        };
        if (rest is null || rest.Length == 0) return new ApiRequestKind(method.ToLowerInvariant(), "other");
        // A namespace-scoped path (not the namespaces resource itself, which has at most a name and a subresource).
        if (rest is ["namespaces", _, _, ..]) rest = rest[2..];
        var resource = rest.Length >= 3 ? $"{rest[0]}/{rest[2]}" : rest[0];
        var named = rest.Length >= 2;
        var watch = uri?.Query.Contains("watch=true", StringComparison.Ordinal) == true;
        var verb = method switch
        {
            "GET" => named ? "get" : watch ? "watch" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => named ? "delete" : "deletecollection",
            _ => method.ToLowerInvariant(),
        };
        return new ApiRequestKind(verb, resource);
    }
}
