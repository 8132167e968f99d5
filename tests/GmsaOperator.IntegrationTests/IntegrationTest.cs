using System.Diagnostics;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests;

/// <summary>Base for integration tests: each test gets its own namespace on the shared control plane, deleted after.</summary>
public abstract class IntegrationTest
{
    protected static IKubernetes Client => ControlPlaneSetup.Client;

    protected string Namespace { get; private set; } = "";

    [SetUp]
    public async Task CreateNamespaceAsync()
    {
        Namespace = $"t-{Guid.NewGuid():N}"[..20];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
    }

    [TearDown]
    public async Task DeleteNamespaceAsync()
    {
        if (Namespace.Length > 0)
        {
            await Client.CoreV1.DeleteNamespaceAsync(Namespace, propagationPolicy: "Background");
        }
    }

    /// <summary>
    /// Creates a namespace shared by tests (e.g. gmsa-system) unless it exists and is active; one an earlier test left
    /// Terminating is waited out and created again. Returns whether this call created it.
    /// </summary>
    protected static async Task<bool> EnsureActiveNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        while (true)
        {
            try
            {
                await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: timeout.Token);
                return true;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                try
                {
                    if ((await Client.CoreV1.ReadNamespaceAsync(name, cancellationToken: timeout.Token)).Status?.Phase != "Terminating") return false;
                }
                catch (k8s.Autorest.HttpOperationException gone) when (gone.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                }
            }
            await Task.Delay(200, timeout.Token);
        }
    }
}
