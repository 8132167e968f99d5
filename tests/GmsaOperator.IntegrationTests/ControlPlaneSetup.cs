using GmsaOperator.Operator.LocalControlPlane;
using k8s;

namespace GmsaOperator.IntegrationTests;

/// <summary>One real control plane per test run, shared by every integration test.</summary>
[SetUpFixture]
public sealed class ControlPlaneSetup
{
    private static LocalControlPlane? _plane;

    public static LocalControlPlane Plane => _plane ?? throw new InvalidOperationException("The control plane is not running.");

    public static IKubernetes Client { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        _plane = await LocalControlPlane.StartAsync(new LocalControlPlaneOptions { Progress = TestContext.Progress }, cts.Token);
        Client = _plane.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Client?.Dispose();
        if (_plane is not null) await _plane.DisposeAsync();
    }
}
