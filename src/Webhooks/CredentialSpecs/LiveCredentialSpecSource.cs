using GmsaOperator.Entities.Rbac;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;

namespace GmsaOperator.Webhooks.CredentialSpecs;

/// <summary>Reads a credspec with a live GET of <c>windows.k8s.io/v1 gmsacredentialspecs/&lt;name&gt;</c>.</summary>
[RequiresPermission("windows.k8s.io", "gmsacredentialspecs", "get", Reason = "live GET when the informer cache misses")]
public sealed class LiveCredentialSpecSource(IKubernetes client) : ICredentialSpecSource
{
    public const string Group = "windows.k8s.io";
    public const string Version = "v1";
    public const string Plural = "gmsacredentialspecs";

    public async ValueTask<JsonElement?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.CustomObjects.GetClusterCustomObjectAsync(Group, Version, Plural, name, cancellationToken).ConfigureAwait(false);
            return result is JsonElement element ? element : KubernetesJson.Deserialize<JsonElement>(KubernetesJson.Serialize(result));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && IsObjectNotFound(e.Response.Content, name))
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            throw new CredentialSpecLookupException(StatusMessage(e.Response.Content) ?? e.Message, e);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new CredentialSpecLookupException(e.Message, e);
        }
    }

    /// <summary>
    /// A 404 for the object carries <c>details.name</c>; a 404 because the resource itself is not served (CRD missing or
    /// namespaced) does not, and must be a 500 like upstream ("the server could not find the requested resource").
    /// </summary>
    private static bool IsObjectNotFound(string? content, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(content ?? "");
            return document.RootElement.TryGetProperty("details", out var details)
                   && details.TryGetProperty("name", out var detailName)
                   && detailName.GetString() == name;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? StatusMessage(string? content)
    {
        try
        {
            using var document = JsonDocument.Parse(content ?? "");
            return document.RootElement.TryGetProperty("message", out var message) ? message.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
