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
}
