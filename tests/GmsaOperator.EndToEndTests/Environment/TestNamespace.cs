using GmsaOperator.EndToEndTests.Deployed;
using GmsaOperator.Entities.Bindings;
using k8s;
using k8s.Models;

namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>A namespace of its own for one test, with service accounts and a GmsaBinding; deleted on dispose.</summary>
internal sealed class TestNamespace : IAsyncDisposable
{
    private readonly IKubernetes _client;

    private TestNamespace(IKubernetes client, string name)
    {
        _client = client;
        Name = name;
    }

    public string Name { get; }

    public static async Task<TestNamespace> CreateAsync(IKubernetes client, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return new TestNamespace(client, name);
    }

    /// <summary>Creates a service account and waits for its token (pods cannot be admitted before it exists).</summary>
    public async Task ServiceAccountAsync(string name)
    {
        await _client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, Name);
        await Eventually.HoldsAsync(async ct =>
        {
            var sa = await _client.CoreV1.ReadNamespacedServiceAccountAsync(name, Name, cancellationToken: ct);
            return sa.Secrets is { Count: > 0 } ? sa : null;
        }, TimeSpan.FromSeconds(30), $"a token for service account {Name}/{name}");
    }

    /// <summary>Grants <paramref name="serviceAccount"/> the use of <paramref name="credentialSpec"/> and waits until the binding is Ready.</summary>
    public async Task BindAsync(string credentialSpec, string serviceAccount)
    {
        var binding = new GmsaBinding
        {
            Metadata = new V1ObjectMeta { Name = $"{serviceAccount}-{credentialSpec}" },
            Spec = new GmsaBindingSpec { CredentialSpecName = credentialSpec, ServiceAccounts = [serviceAccount] },
        };
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(binding, GmsaBinding.ApiGroup, GmsaBinding.Version, Name, GmsaBinding.Plural);
        await Eventually.HoldsAsync(async ct =>
        {
            var ready = await E2ECluster.KubectlAsync("get", "gmsab", binding.Metadata.Name, "-n", Name, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
            return ready.Stdout == "True" ? ready : null;
        }, TimeSpan.FromSeconds(30), $"GmsaBinding {Name}/{binding.Metadata.Name} to be Ready");
    }

    public async ValueTask DisposeAsync() => await _client.CoreV1.DeleteNamespaceAsync(Name, propagationPolicy: "Background");
}
