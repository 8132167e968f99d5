using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Webhooks;

/// <summary>A fixture with the webhooks running in-process and registered with the API server for its lifetime.</summary>
public abstract class WebhookHostTest : IntegrationTest
{
    private protected static WebhookHost Host { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartWebhookHostAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        Host = await WebhookHost.StartAsync(Client, cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopWebhookHostAsync()
    {
        if (Host is null) return;
        await Host.UnregisterAsync(Client);
        await Host.DisposeAsync();
        Host = null!;
    }

    /// <summary>Puts the test's namespace under the pod webhooks (their namespace selector).</summary>
    protected Task LabelNamespaceForWebhooksAsync() =>
        Client.CoreV1.PatchNamespaceAsync(new V1Patch(new { metadata = new { labels = Host.Labels } }, V1Patch.PatchType.MergePatch), Namespace);
}
