using System.Net;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace GmsaOperator.Runtime.LeaderElection;

/// <summary>
/// A Lease lock that reports every failed API call before the client library swallows it (its lock turns create and
/// update errors into <c>false</c>, and its elector drops failed reads), so a forbidden or missing namespace is visible.
/// </summary>
public sealed class ReportingLeaseLock(IKubernetes client, LeaderElectionOptions options, LeaderElectionErrorLog errors)
    : LeaseLock(client, options.Namespace, options.LeaseName, options.Identity)
{
    protected override async Task<V1Lease> ReadMetaObjectAsync(IKubernetes client, string name, string namespaceParameter, CancellationToken cancellationToken)
    {
        try
        {
            return await base.ReadMetaObjectAsync(client, name, namespaceParameter, cancellationToken).ConfigureAwait(false);
        }
        // A missing Lease is how every first campaign starts (it is created next); a missing namespace shows up there.
        catch (Exception e) when (!IsExpected(e, HttpStatusCode.NotFound, cancellationToken))
        {
            errors.Report("get", e);
            throw;
        }
    }

    protected override async Task<V1Lease> CreateMetaObjectAsync(IKubernetes client, V1Lease obj, string namespaceParameter, CancellationToken cancellationToken)
    {
        try
        {
            return await base.CreateMetaObjectAsync(client, obj, namespaceParameter, cancellationToken).ConfigureAwait(false);
        }
        // Another replica created it first: an ordinary lost race.
        catch (Exception e) when (!IsExpected(e, HttpStatusCode.Conflict, cancellationToken))
        {
            errors.Report("create", e);
            throw;
        }
    }

    protected override async Task<V1Lease> ReplaceMetaObjectAsync(IKubernetes client, V1Lease obj, string name, string namespaceParameter, CancellationToken cancellationToken)
    {
        try
        {
            return await base.ReplaceMetaObjectAsync(client, obj, name, namespaceParameter, cancellationToken).ConfigureAwait(false);
        }
        // Another replica updated it first: an ordinary lost race.
        catch (Exception e) when (!IsExpected(e, HttpStatusCode.Conflict, cancellationToken))
        {
            errors.Report("update", e);
            throw;
        }
    }

    private static bool IsExpected(Exception e, HttpStatusCode ordinary, CancellationToken cancellationToken) =>
        (e is HttpOperationException h && h.Response.StatusCode == ordinary)
        || (e is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
