using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests;

/// <summary>Idempotent calls on the shared control plane that tests and fixtures make alike.</summary>
internal static class ClusterObjects
{
    /// <summary>A merge patch setting <paramref name="labels"/> on an object's metadata (a typed model: every type tests serialise is covered).</summary>
    public static V1Patch LabelsPatch(IDictionary<string, string> labels) =>
        new(KubernetesJson.Serialize(new V1Namespace { Metadata = new V1ObjectMeta { Labels = labels } }), V1Patch.PatchType.MergePatch);

    /// <summary>
    /// Creates a namespace shared by tests (e.g. gmsa-system) unless it exists and is active; one an earlier test left
    /// Terminating is waited out and created again. Returns whether this call created it. <paramref name="client"/>: another control plane's.
    /// </summary>
    public static async Task<bool> EnsureActiveNamespaceAsync(string name, CancellationToken cancellationToken = default, IKubernetes? client = null)
    {
        client ??= ControlPlaneSetup.Client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        while (true)
        {
            try
            {
                await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: timeout.Token);
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                try
                {
                    if ((await client.CoreV1.ReadNamespaceAsync(name, cancellationToken: timeout.Token)).Status?.Phase != "Terminating") return false;
                }
                catch (HttpOperationException gone) when (gone.Response.StatusCode == HttpStatusCode.NotFound)
                {
                }
            }
            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>Creates the GMSACredentialSpec <paramref name="name"/> with <paramref name="credspecJson"/> as its contents.</summary>
    public static Task CreateCredentialSpecAsync(IKubernetes client, string name, string credspecJson, CancellationToken cancellationToken = default) =>
        client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "windows.k8s.io/v1",
            ["kind"] = "GMSACredentialSpec",
            ["metadata"] = new Dictionary<string, object> { ["name"] = name },
            ["credspec"] = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(credspecJson),
        }, "windows.k8s.io", "v1", "gmsacredentialspecs", cancellationToken: cancellationToken);

    /// <summary>Runs <paramref name="call"/>; an object that is already gone is not an error.</summary>
    public static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>The call's result, or null when the object does not exist.</summary>
    public static async Task<T?> IgnoreNotFoundAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
