using System.Net;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Runtime;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.Operator.Hosting;

/// <summary>What the start-up check of the operator namespace found.</summary>
/// <param name="Ok">The namespace exists (or was created) and the Lease can be written there.</param>
/// <param name="Message">For the operator's log (created) or, when not <paramref name="Ok"/>, the one-line error with its fix.</param>
public sealed record NamespaceCheckResult(bool Ok, string? Message);

/// <summary>
/// Checks, before the host starts, that the operator namespace exists: without it leader election never succeeds and
/// nothing says why. It asks with a dry-run create of the leader Lease because the operator's ServiceAccount may create
/// Leases there but may not read namespaces (config/rbac): the API server answers a missing namespace with a 404 whose
/// details name <c>namespaces</c>, and an existing one with 201 or, when the Lease exists, 409. Nothing is written.
/// </summary>
public static class OperatorNamespaceCheck
{
    /// <summary>Leaves a second of the 5 s the run command promises for printing and exiting.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);

    /// <param name="createIfMissing">Local mode: the operator runs with the user's credentials and creates the namespace itself.</param>
    public static async Task<NamespaceCheckResult> RunAsync(IKubernetes client, string @namespace, bool createIfMissing, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            if (await ExistsAsync(client, @namespace, timeout.Token).ConfigureAwait(false)) return new NamespaceCheckResult(true, null);
            if (!createIfMissing)
            {
                return new NamespaceCheckResult(false,
                    $"namespace \"{@namespace}\" does not exist: install the operator's objects with `kubectl apply -k config/default` "
                    + "(creates it with the RBAC the operator needs), or pass --namespace with an existing namespace.");
            }
            await CreateAsync(client, @namespace, timeout.Token).ConfigureAwait(false);
            return new NamespaceCheckResult(true, $"created namespace \"{@namespace}\" (local mode)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new NamespaceCheckResult(false, $"the API server at {Host(client)} did not answer within {Timeout.TotalSeconds:0} s (checking namespace \"{@namespace}\").");
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            return new NamespaceCheckResult(false, Explain(ApiError.From(e), client, @namespace));
        }
    }

    private static async Task<bool> ExistsAsync(IKubernetes client, string @namespace, CancellationToken cancellationToken)
    {
        var probe = new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta { Name = OperatorDeployment.LeaderLeaseName, NamespaceProperty = @namespace },
            Spec = new V1LeaseSpec(),
        };
        try
        {
            await client.CoordinationV1.CreateNamespacedLeaseAsync(probe, @namespace, dryRun: "All", cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && ApiError.From(e).DetailsKind == "namespaces")
        {
            return false;
        }
    }

    private static async Task CreateAsync(IKubernetes client, string @namespace, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = @namespace } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created meanwhile by someone else: what we wanted.
        }
    }

    private static string Explain(ApiError error, IKubernetes client, string @namespace) => error.StatusCode switch
    {
        HttpStatusCode.Unauthorized => $"the API server at {Host(client)} rejected the credentials (401 {error.Message}): check the kubeconfig's user or token.",
        HttpStatusCode.Forbidden => $"not allowed to manage the leader Lease in namespace \"{@namespace}\" ({error.Message}): apply config/default's RBAC "
                                    + "(`kubectl apply -k config/default`) or run with credentials that may create Leases there.",
        null => $"cannot reach the API server at {Host(client)}: {error.Message}",
        _ => $"checking namespace \"{@namespace}\" failed: {error}",
    };

    private static string Host(IKubernetes client) => client.BaseUri?.ToString() ?? "(unknown)";
}
