using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using GmsaOperator.Webhooks.Admission;
using k8s.Models;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Answers "does this ServiceAccount exist" from the informer cache; a miss asks the API server (it may be brand new).</summary>
public sealed class InformerServiceAccountDirectory(IObjectCache cache, KubernetesServiceAccountDirectory live) : IServiceAccountDirectory
{
    public ValueTask<bool?> ExistsAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        cache.Get<V1ServiceAccount>(new ObjectKey(@namespace, name)) is not null
            ? ValueTask.FromResult<bool?>(true)
            : live.ExistsAsync(@namespace, name, cancellationToken);
}
