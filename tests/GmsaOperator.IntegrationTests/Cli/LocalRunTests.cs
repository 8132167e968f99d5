using System.Text.RegularExpressions;
using k8s;
using GmsaOperator.Operator.Cli;

namespace GmsaOperator.IntegrationTests.Cli;

/// <summary>
/// <c>run</c> without a cluster: the shipped executable has no control plane and says what to do; the development
/// host behind <c>make run</c> starts one, runs the operator on it, and stops everything on SIGTERM.
/// </summary>
[NonParallelizable]
public sealed partial class LocalRunTests : IntegrationTest
{
    [Test]
    public async Task ShippedExecutable_WithoutACluster_ExitsSayingHowToGetOne()
    {
        await using var process = OperatorProcess.Start(["run"]);
        Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(2), process.Output);
        Assert.That(process.Output, Does.Contain(RunCommand.NoClusterMessage));
        Assert.That(process.Output, Does.Not.Contain("control plane is running"));
    }

    [Test]
    public async Task DevHost_WithoutACluster_StartsALocalPlane_AndSigtermStopsEverything()
    {
        await using var process = OperatorProcess.Start(["run"], executable: "gmsa-operator-dev");
        var running = await process.WaitForLineAsync(l => l.Contains("export KUBECONFIG=", StringComparison.Ordinal), TimeSpan.FromMinutes(3), "with the local plane's kubeconfig");
        var kubeconfig = KubeconfigLine().Match(running).Groups[1].Value;
        Assert.That(File.Exists(kubeconfig), Is.True, running);
        await process.WaitForLineAsync(l => l.Contains("became leader", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "saying the operator leads on the local plane");
        using (var local = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)))
        {
            await Eventually.HoldsAsync(async ct => (await local.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync(cancellationToken: ct)).Items
                .Any(h => h.Metadata.Name == Entities.Deployment.OperatorDeployment.LocalWebhookConfigurationName) ? "registered" : null,
                TimeSpan.FromSeconds(60), "the operator to register its local webhook configuration");
        }

        await process.TerminateAsync();
        Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.Not.Null, process.Output);
        Assert.That(process.Output, Does.Contain("Stopping the local control plane"));
        Assert.That(Directory.Exists(Path.GetDirectoryName(kubeconfig)), Is.False, "the plane's directory is removed: its processes were stopped");
    }

    [GeneratedRegex(@"export KUBECONFIG=(\S+)")]
    private static partial Regex KubeconfigLine();
}
