using GmsaOperator.Entities.Rbac;
using System.Net;
using k8s;
using k8s.Autorest;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>Answers whether a ServiceAccount exists (null when the answer is unknown, e.g. the API call failed).</summary>
public interface IServiceAccountDirectory
{
    ValueTask<bool?> ExistsAsync(string @namespace, string name, CancellationToken cancellationToken);
}

/// <summary>Live GET of the ServiceAccount.</summary>
[RequiresPermission("", "serviceaccounts", "get", Reason = "warn about listed service accounts that do not exist")]
public sealed class KubernetesServiceAccountDirectory(IKubernetes client) : IServiceAccountDirectory
{
    public async ValueTask<bool?> ExistsAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.ReadNamespacedServiceAccountAsync(name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            return null;
        }
    }
}
