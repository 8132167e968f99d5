using GmsaOperator.LocalControlPlane;
using Plane = GmsaOperator.LocalControlPlane.LocalControlPlane;
using k8s;

using GmsaOperator.EndToEndTests.Environment;

namespace GmsaOperator.EndToEndTests.Deployed;

/// <summary>
/// What a user has before `kubectl apply -k`: a cluster with a node (the local control plane and a real kubelet),
/// a registry (Debian's docker-registry on loopback), the image built from our Dockerfile and pushed there, and an
/// overlay of config/default that only sets that image (and, on this 1.20 API server, the PDB's apiVersion).
/// </summary>
[SetUpFixture]
public sealed class E2ECluster
{
    private static Plane? _plane;
    private static LocalRegistry? _registry;

    public static Plane Plane => _plane ?? throw new InvalidOperationException("The cluster is not running.");
    public static IKubernetes Client { get; private set; } = null!;
    public static string Image { get; private set; } = "";
    public static string Overlay { get; private set; } = "";
    public static string PauseImage => Plane.Node!.PauseImage;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var progress = TestContext.Progress;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(25));
        _plane = await Plane.StartAsync(new LocalControlPlaneOptions { WithNode = true, Progress = progress }, cts.Token);
        Client = _plane.CreateClient();
        _registry = await LocalRegistry.StartAsync(Path.Combine(_plane.Directory, "registry"), cts.Token);
        _plane.Node!.TrustPlainHttpRegistry(_registry.HostPort);

        // The README's "build and push" with REGISTRY=127.0.0.1:PORT.
        Image = $"{_registry.HostPort}/gmsa-operator:e2e";
        await Shell.SucceedAsync("make", ["-s", "image-push", $"REGISTRY={_registry.HostPort}", "TAG=e2e"], TimeSpan.FromMinutes(20), echo: progress);

        Overlay = Path.Combine(_plane.Directory, "overlay");
        Directory.CreateDirectory(Overlay);
        await File.WriteAllTextAsync(Path.Combine(Overlay, "kustomization.yaml"), OverlayKustomization(Image), cts.Token);
    }

    /// <summary>What `kustomize edit set image gmsa-operator=IMAGE` writes into an overlay of config/default.</summary>
    internal static string OverlayKustomization(string image)
    {
        var colon = image.LastIndexOf(':');
        return $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
            - {Path.GetRelativePath(Path.Combine(Plane.Directory, "overlay"), Path.Combine(RepositoryRoot.Path, "config", "default"))}
            images:
            - name: gmsa-operator
              newName: {image[..colon]}
              newTag: {image[(colon + 1)..]}
            # policy/v1 PodDisruptionBudgets are served from Kubernetes 1.21; the local API server is 1.20.
            patches:
            - target:
                kind: PodDisruptionBudget
              patch: |-
                - op: replace
                  path: /apiVersion
                  value: policy/v1beta1
            """;
    }

    /// <summary>Where every e2e step saves what explains a failure (TestResults/e2e/diagnostics, created on first use).</summary>
    internal static string DiagnosticsDirectory => Directory.CreateDirectory(Path.Combine(RepositoryRoot.Path, "TestResults", "e2e", "diagnostics")).FullName;

    /// <summary>Keeps what explains a failure after the cluster is gone: component logs, operator logs, events.</summary>
    private static async Task SaveDiagnosticsAsync(Plane plane)
    {
        try
        {
            var target = DiagnosticsDirectory;
            foreach (var log in Directory.EnumerateFiles(plane.Directory, "*.log").Concat(Directory.EnumerateFiles(Path.Combine(plane.Directory, "node"), "*.log")))
            {
                File.Copy(log, Path.Combine(target, Path.GetFileName(log)), overwrite: true);
            }
            var pods = await KubectlAsync("-n", "gmsa-system", "get", "pods", "-o", "name");
            foreach (var pod in pods.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var logs = await KubectlAsync("-n", "gmsa-system", "logs", pod, "-c", "manager");
                await File.WriteAllTextAsync(Path.Combine(target, $"operator-{pod.Split('/')[1]}.log"), logs.Stdout + logs.Stderr);
            }
            var events = await KubectlAsync("get", "events", "-A", "--sort-by=.lastTimestamp");
            await File.WriteAllTextAsync(Path.Combine(target, "events.txt"), events.Stdout);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
        {
            await TestContext.Progress.WriteLineAsync($"diagnostics not saved: {e.Message}");
        }
    }

    internal static Task<Shell.Result> KubectlAsync(params string[] args) =>
        Shell.RunAsync("kubectl", ["--kubeconfig", Plane.KubeconfigPath, .. args], TimeSpan.FromMinutes(6));

    internal static Task<string> KubectlSucceedAsync(params string[] args) =>
        Shell.SucceedAsync("kubectl", ["--kubeconfig", Plane.KubeconfigPath, .. args], TimeSpan.FromMinutes(6));

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_plane is not null) await SaveDiagnosticsAsync(_plane);
        Client?.Dispose();
        if (_registry is not null) await _registry.DisposeAsync();
        if (_plane is not null) await _plane.DisposeAsync();
    }
}
