using System.Text.Json;

namespace GmsaOperator.Webhooks.CredentialSpecs;

/// <summary>Reads GMSACredentialSpec objects (cluster-scoped, windows.k8s.io) as raw JSON.</summary>
public interface ICredentialSpecSource
{
    /// <summary>The whole custom object, or null when it does not exist. Any other failure throws <see cref="CredentialSpecLookupException"/>.</summary>
    ValueTask<JsonElement?> GetAsync(string name, CancellationToken cancellationToken);
}

/// <summary>A credspec could not be read for a reason other than "not found" (RBAC, CRD missing, timeout…).</summary>
public sealed class CredentialSpecLookupException(string message, Exception? inner = null) : Exception(message, inner);
