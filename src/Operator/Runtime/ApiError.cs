using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace GmsaOperator.Runtime;

/// <summary>
/// What the API server said about a failed call, in its own words: the Status object's reason and message (e.g.
/// <c>NotFound</c>, <c>namespaces "gmsa-system" not found</c>), or for a call that never got an answer the transport error.
/// </summary>
/// <param name="StatusCode">HTTP status; null when there was no response (unreachable, TLS, timeout).</param>
/// <param name="Reason">The Status reason (<c>NotFound</c>, <c>Forbidden</c>, …), else the HTTP status or exception name.</param>
/// <param name="DetailsKind">The Status details' kind: for a 404 it names what is missing (<c>namespaces</c> vs <c>leases</c>).</param>
public sealed record ApiError(HttpStatusCode? StatusCode, string Reason, string Message, string? DetailsKind)
{
    /// <summary>
    /// A create refused because its namespace is being deleted (a <c>NamespaceTerminating</c> cause): nothing can be made
    /// there any more, and whatever asked for it goes with the namespace.
    /// </summary>
    public bool NamespaceTerminating { get; init; }

    public static ApiError From(Exception exception) => exception switch
    {
        HttpOperationException e => FromResponse(e),
        HttpRequestException e => new ApiError(null, "Unreachable", WithCause(e), null),
        TaskCanceledException or TimeoutException => new ApiError(null, "Timeout", "no answer from the API server in time", null),
        _ => new ApiError(null, exception.GetType().Name, exception.Message, null),
    };

    /// <summary>One line for logs and error output: <c>Forbidden: leases.coordination.k8s.io is forbidden: …</c>.</summary>
    public override string ToString() => $"{Reason}: {Message}";

    private static ApiError FromResponse(HttpOperationException e)
    {
        var code = e.Response.StatusCode;
        string? reason = null, message = null, kind = null;
        var terminating = false;
        try
        {
            using var document = JsonDocument.Parse(e.Response.Content ?? "");
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                reason = String(root, "reason");
                message = String(root, "message");
                if (root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object)
                {
                    kind = String(details, "kind");
                    terminating = details.TryGetProperty("causes", out var causes) && causes.ValueKind == JsonValueKind.Array
                        && causes.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.Object && String(c, "reason") == "NamespaceTerminating");
                }
            }
        }
        catch (JsonException)
        {
            // Not a Status (a proxy's HTML page, an empty body): fall back to the HTTP status below.
        }
        return new ApiError(code, reason is { Length: > 0 } ? reason : code.ToString(),
            message is { Length: > 0 } ? message : $"HTTP {(int)code} {code}", kind)
        {
            NamespaceTerminating = terminating && code == HttpStatusCode.Forbidden,
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // "The SSL connection could not be established, see inner exception." says nothing without its cause.
    private static string WithCause(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        var outer = e.Message.Replace(", see inner exception.", "", StringComparison.Ordinal);
        return ReferenceEquals(inner, e) || outer.Contains(inner.Message, StringComparison.Ordinal) ? outer : $"{outer}: {inner.Message}";
    }
}
