using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Creates or updates CustomResourceDefinitions and waits until the API server serves them.</summary>
public static class CrdInstaller
{
    public static async Task InstallAsync(IKubernetes client, IEnumerable<V1CustomResourceDefinition> crds, TextWriter progress, CancellationToken cancellationToken)
    {
        foreach (var crd in crds)
        {
            try
            {
                var existing = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name, cancellationToken: cancellationToken);
                crd.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
                await client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(crd, crd.Metadata.Name, cancellationToken: cancellationToken);
                await progress.WriteLineAsync($"==> updated CRD {crd.Metadata.Name}");
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: cancellationToken);
                await progress.WriteLineAsync($"==> created CRD {crd.Metadata.Name}");
            }

            await WaitEstablishedAsync(client, crd.Metadata.Name, cancellationToken);
        }
    }

    private static async Task WaitEstablishedAsync(IKubernetes client, string name, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: cts.Token);
            if (crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true) return;
            await Task.Delay(100, cts.Token);
        }
    }
}
