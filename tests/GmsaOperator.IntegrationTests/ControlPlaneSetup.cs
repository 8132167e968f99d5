using GmsaOperator.Entities.Serialization;
using GmsaOperator.LocalControlPlane;
using GmsaOperator.TestSupport;
using Plane = GmsaOperator.LocalControlPlane.LocalControlPlane;
using k8s;

namespace GmsaOperator.IntegrationTests;

/// <summary>One real control plane per test run, shared by every integration test.</summary>
[SetUpFixture]
public sealed class ControlPlaneSetup
{
    private static Plane? _plane;

    public static Plane Plane => _plane ?? throw new InvalidOperationException("The control plane is not running.");

    public static IKubernetes Client { get; private set; } = null!;

    /// <summary>A client of the shared control plane that the operator runtime's informers accept.</summary>
    public static GmsaOperator.Runtime.Client.StreamingKubernetes NewClient() =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(Plane.KubeconfigPath));

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // As the operator does at start: serialisation with our contexts only, so a model the product uses but does not
        // cover fails here as it would in the NativeAOT build.
        EntityJson.Register(TestModelJsonContext.Default);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        _plane = await Plane.StartAsync(new LocalControlPlaneOptions { Progress = TestContext.Progress }, cts.Token);
        Client = NewClient();
        // The generated CRDs, exactly as config/ ships them, for every test (CrdSetup restores them after a test that swaps them).
        await Config.CrdSetup.EnsureInstalledAsync(cts.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Client?.Dispose();
        if (_plane is not null) await _plane.DisposeAsync();
    }
}
