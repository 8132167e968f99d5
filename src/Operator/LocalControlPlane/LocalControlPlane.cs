using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using GmsaOperator.LocalControlPlane.Node;
using k8s;

namespace GmsaOperator.LocalControlPlane;

/// <summary>A real etcd + kube-apiserver + kube-controller-manager on loopback, started and stopped by us; optionally
/// with a real node (<see cref="LocalNode"/>) whose pods reach the API server through the <c>kubernetes</c> Service.</summary>
public sealed class LocalControlPlane : IAsyncDisposable
{
    private const int PortAttempts = 3;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    // Teardown throws the data away, so a slow graceful drain (kube-apiserver waits for open watches) buys nothing.
    private static readonly TimeSpan TeardownGrace = TimeSpan.FromSeconds(3);

    private readonly LocalControlPlaneOptions _options;
    private readonly ControlPlaneBinaries _binaries;
    private readonly bool _ownsDirectory;
    private ControlPlanePki _pki = null!;
    private int _etcdClientPort;
    private int _etcdPeerPort;
    private ManagedProcess? _etcd;
    private ManagedProcess? _apiServer;
    private ManagedProcess? _controllerManager;
    private bool _disposed;

    private LocalControlPlane(LocalControlPlaneOptions options, ControlPlaneBinaries binaries, string directory, bool ownsDirectory)
    {
        _options = options;
        _binaries = binaries;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
    }

    public string Directory { get; }
    public string KubeconfigPath => Path.Combine(Directory, "kubeconfig");
    public string StateFile => Path.Combine(Directory, "pids");
    public int ApiServerPort { get; private set; }
    public Uri ApiServerUrl => new($"https://127.0.0.1:{ApiServerPort}");
    public string EtcdEndpoint => $"http://127.0.0.1:{_etcdClientPort}";
    public string EtcdLog => Path.Combine(Directory, "etcd.log");
    public string ApiServerLog => Path.Combine(Directory, "kube-apiserver.log");
    public bool HasControllerManager => _controllerManager is not null;

    /// <summary>What kube-apiserver presents to webhooks, when <see cref="LocalControlPlaneOptions.WebhookClientCertificates"/> asked for it.</summary>
    public WebhookClientCredentials? WebhookClientCredentials { get; private set; }

    /// <summary>The node, when <see cref="LocalControlPlaneOptions.WithNode"/> asked for one.</summary>
    public LocalNode? Node { get; private set; }

    private string NodeDirectory => Path.Combine(Directory, "node");

    public IEnumerable<ManagedProcess> Processes => new[] { _controllerManager, _apiServer, _etcd }.OfType<ManagedProcess>();

    public static async Task<LocalControlPlane> StartAsync(LocalControlPlaneOptions options, CancellationToken cancellationToken)
    {
        var binaries = await ControlPlaneBinaries.ResolveAsync(options.Progress, cancellationToken);
        var ownsDirectory = options.Directory is null;
        var dir = options.Directory ?? Path.Combine(Path.GetTempPath(), $"gmsa-control-plane-{Guid.NewGuid():N}"[..32]);
        System.IO.Directory.CreateDirectory(dir);
        var plane = new LocalControlPlane(options, binaries, dir, ownsDirectory);
        try
        {
            await plane.StartAllAsync(cancellationToken);
            return plane;
        }
        catch
        {
            await plane.StopAndCleanAsync();
            throw;
        }
    }

    public IKubernetes CreateClient() =>
        new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    private async Task StartAllAsync(CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        if (_options.WithNode && _binaries.Node is null)
        {
            throw new ControlPlaneException("A local node needs kubelet, kube-scheduler and kube-proxy next to kube-apiserver (hack/control-plane-build.sh builds them; KUBEBUILDER_ASSETS has none).");
        }
        _pki = ControlPlanePki.Create(Directory, TimeProvider.System, _options.WithNode ? [ClusterNetwork.BridgeGateway] : null);
        if (_options.WebhookClientCertificates) WebhookClientCredentials = WebhookClientCredentials.Create(Directory, TimeProvider.System);
        await StartEtcdAsync(cancellationToken);
        var etcdReady = sw.Elapsed;
        await StartApiServerAsync(cancellationToken);
        var apiReady = sw.Elapsed;
        WriteKubeconfig();
        if (_options.StartControllerManager && _binaries.KubeControllerManager is not null)
        {
            await StartControllerManagerAsync(cancellationToken);
        }
        else if (_options.StartControllerManager)
        {
            await _options.Progress.WriteLineAsync("==> [control-plane] no kube-controller-manager in KUBEBUILDER_ASSETS: running without it (no ReplicaSets, namespace cleanup or service-account tokens)");
        }
        await _options.Progress.WriteLineAsync(
            $"==> [control-plane] etcd {etcdReady.TotalSeconds:0.0}s, kube-apiserver {(apiReady - etcdReady).TotalSeconds:0.0}s, kube-controller-manager {(sw.Elapsed - apiReady).TotalSeconds:0.0}s");
        WriteState();
        if (_options.WithNode)
        {
            Node = await LocalNode.StartAsync(NodeDirectory, KubeconfigPath, _binaries.Node!, _options.Detached, _options.Progress, cancellationToken);
        }
        await _options.Progress.WriteLineAsync($"==> [control-plane] ready in {sw.Elapsed.TotalSeconds:0.0}s: API server {ApiServerUrl}, kubeconfig {KubeconfigPath}");
    }

    private async Task StartEtcdAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            _etcdClientPort = FreePorts.Next();
            _etcdPeerPort = FreePorts.Next();
            var client = $"http://127.0.0.1:{_etcdClientPort}";
            var peer = $"http://127.0.0.1:{_etcdPeerPort}";
            _etcd = ManagedProcess.Start("etcd", _binaries.Etcd,
            [
                "--name=default", $"--data-dir={Path.Combine(Directory, "etcd-data")}",
                $"--listen-client-urls={client}", $"--advertise-client-urls={client}",
                $"--listen-peer-urls={peer}", $"--initial-advertise-peer-urls={peer}",
                $"--initial-cluster=default={peer}", "--unsafe-no-fsync=true", "--logger=zap",
            ], EtcdLog, _options.Detached);
            using var http = new HttpClient();
            var ready = await ReadinessWait.UntilAsync([_etcd], TimeSpan.FromSeconds(30), async ct =>
            {
                using var response = await http.GetAsync($"{client}/health", ct);
                return response.IsSuccessStatusCode;
            }, cancellationToken);
            if (ready) return;
            if (PortTaken(_etcd) && attempt < PortAttempts)
            {
                await _etcd.StopAsync(StopGrace);
                continue;
            }
            throw ReadinessWait.NotReady(_etcd, "etcd did not become healthy within 30s");
        }
    }

    /// <summary>Starts kube-apiserver; on a restart it keeps its port so clients reconnect to the same URL.</summary>
    public async Task StartApiServerAsync(CancellationToken cancellationToken)
    {
        var keepPort = ApiServerPort != 0;
        for (var attempt = 1; ; attempt++)
        {
            if (!keepPort) ApiServerPort = FreePorts.Next();
            _apiServer = ManagedProcess.Start("kube-apiserver", _binaries.KubeApiServer, ApiServerArgs(), ApiServerLog, _options.Detached);
            var ready = await ReadinessWait.UntilAsync([_apiServer], _options.ReadyTimeout, ApiServerReadyAsync, cancellationToken);
            if (ready) return;
            if (PortTaken(_apiServer) && attempt < PortAttempts && !keepPort)
            {
                await _apiServer.StopAsync(StopGrace);
                continue;
            }
            throw ReadinessWait.NotReady(_apiServer, _apiServer.HasExited
                ? "kube-apiserver exited before it became ready"
                : $"kube-apiserver did not become ready within {_options.ReadyTimeout.TotalSeconds:0}s");
        }
    }

    /// <summary>Stops kube-apiserver only (etcd and the controller manager keep running), e.g. to test outages.</summary>
    public Task StopApiServerAsync(bool hard = false) => _apiServer?.StopAsync(StopGrace, hard) ?? Task.CompletedTask;

    private List<string> ApiServerArgs() =>
    [
        $"--etcd-servers={EtcdEndpoint}",
        // With a node, pods reach the API server at the kubernetes Service, whose endpoint is the bridge's gateway.
        .. _options.WithNode
            ? new[] { "--bind-address=0.0.0.0", $"--advertise-address={ClusterNetwork.BridgeGateway}" }
            : ["--bind-address=127.0.0.1", "--advertise-address=127.0.0.1"],
        $"--secure-port={ApiServerPort}", "--insecure-port=0",
        $"--cert-dir={Path.Combine(Directory, "apiserver-certs")}",
        $"--tls-cert-file={_pki.ServingCert}", $"--tls-private-key-file={_pki.ServingKey}", "--tls-min-version=VersionTLS12",
        $"--client-ca-file={_pki.CaCert}",
        $"--service-account-key-file={_pki.ServiceAccountPub}", $"--service-account-signing-key-file={_pki.ServiceAccountKey}",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local", "--api-audiences=https://kubernetes.default.svc.cluster.local",
        $"--service-cluster-ip-range={ClusterNetwork.ServiceCidr}", "--allow-privileged=true",
        "--authorization-mode=RBAC",
        "--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,DefaultStorageClass,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota",
        "--disable-admission-plugins=StorageObjectInUseProtection,PersistentVolumeClaimResize,DefaultTolerationSeconds,Priority,TaintNodesByCondition,RuntimeClass,CertificateApproval,CertificateSigning,CertificateSubjectRestriction,DefaultIngressClass",
        "--watch-cache=true", "--event-ttl=1h",
        .. WebhookClientCredentials is { } webhookClient ? new[] { $"--admission-control-config-file={webhookClient.AdmissionConfiguration}" } : [],
    ];

    private async Task StartControllerManagerAsync(CancellationToken cancellationToken)
    {
        _controllerManager = ManagedProcess.Start("kube-controller-manager", _binaries.KubeControllerManager!,
        [
            $"--kubeconfig={KubeconfigPath}",
            $"--authentication-kubeconfig={KubeconfigPath}", $"--authorization-kubeconfig={KubeconfigPath}",
            "--controllers=serviceaccount-token,serviceaccount,namespace,garbagecollector,replicaset,deployment,replicationcontroller,job,statefulset,daemonset,endpoint,endpointslice,podgc,resourcequota,clusterrole-aggregation",
            $"--service-account-private-key-file={_pki.ServiceAccountKey}", $"--root-ca-file={_pki.CaCert}",
            "--use-service-account-credentials=false", "--leader-elect=false",
            "--bind-address=127.0.0.1", "--secure-port=0", "--port=0",
            "--concurrent-gc-syncs=5", "--namespace-sync-period=10s",
        ], Path.Combine(Directory, "kube-controller-manager.log"), _options.Detached);

        // The token controller is the first thing pods need: wait until the default service account has a token.
        using var client = CreateClient();
        var ready = await ReadinessWait.UntilAsync([_controllerManager], _options.ReadyTimeout, async ct =>
        {
            var sa = await client.CoreV1.ReadNamespacedServiceAccountAsync("default", "default", cancellationToken: ct);
            return sa.Secrets is { Count: > 0 };
        }, cancellationToken);
        if (!ready)
        {
            throw ReadinessWait.NotReady(_controllerManager, _controllerManager.HasExited
                ? "kube-controller-manager exited before it became ready"
                : $"kube-controller-manager did not create service-account tokens within {_options.ReadyTimeout.TotalSeconds:0}s");
        }
    }

    private async Task<bool> ApiServerReadyAsync(CancellationToken ct)
    {
        using var handler = new HttpClientHandler();
        handler.ClientCertificates.Add(X509Certificate2.CreateFromPemFile(_pki.AdminCert, _pki.AdminKey));
        var ca = X509CertificateLoader.LoadCertificateFromFile(_pki.CaCert);
        handler.ServerCertificateCustomValidationCallback = (_, cert, chain, _) =>
        {
            if (cert is null || chain is null) return false;
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(cert);
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri(ApiServerUrl, "/readyz"), ct);
        return response.IsSuccessStatusCode;
    }

    private static bool PortTaken(ManagedProcess process) =>
        process.HasExited && process.LastLogLines(50).Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase));

    private void WriteKubeconfig()
    {
        static string B64(string file) => Convert.ToBase64String(File.ReadAllBytes(file));
        var yaml = new StringBuilder()
            .AppendLine("apiVersion: v1")
            .AppendLine("kind: Config")
            .AppendLine("clusters:")
            .AppendLine("- name: gmsa-local")
            .AppendLine("  cluster:")
            .AppendLine($"    server: {ApiServerUrl}")
            .AppendLine($"    certificate-authority-data: {B64(_pki.CaCert)}")
            .AppendLine("users:")
            .AppendLine("- name: gmsa-local-admin")
            .AppendLine("  user:")
            .AppendLine($"    client-certificate-data: {B64(_pki.AdminCert)}")
            .AppendLine($"    client-key-data: {B64(_pki.AdminKey)}")
            .AppendLine("contexts:")
            .AppendLine("- name: gmsa-local")
            .AppendLine("  context:")
            .AppendLine("    cluster: gmsa-local")
            .AppendLine("    user: gmsa-local-admin")
            .AppendLine("current-context: gmsa-local")
            .ToString();
        File.WriteAllText(KubeconfigPath, yaml);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(KubeconfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private void WriteState() =>
        File.WriteAllLines(StateFile, Processes.Select(p => $"{p.Name} {p.Pid} {p.LogFile}"));

    /// <summary>Stops the processes recorded by a detached run in <paramref name="directory"/> and removes it.</summary>
    public static async Task<int> StopDetachedAsync(string directory, TextWriter output)
    {
        var state = Path.Combine(directory, "pids");
        if (!File.Exists(state))
        {
            await output.WriteLineAsync($"No local control plane is recorded in {directory}; nothing to stop.");
            return 0;
        }
        await LocalNode.StopDetachedAsync(Path.Combine(directory, "node"), output);
        foreach (var line in await File.ReadAllLinesAsync(state))
        {
            var parts = line.Split(' ', 3);
            if (parts.Length < 2 || !int.TryParse(parts[1], out var pid)) continue;
            var process = ManagedProcess.Attach(parts[0], pid, parts.Length > 2 ? parts[2] : "");
            if (!ManagedProcess.IsAlive(pid)) continue;
            await output.WriteLineAsync($"stopping {process.Name} (pid {pid})");
            await process.StopAsync(TeardownGrace);
        }
        System.IO.Directory.Delete(directory, recursive: true);
        return 0;
    }

    /// <summary>Stops every process (by PID) unless detached; removes the directory if we created it.</summary>
    public ValueTask DisposeAsync() => _options.Detached ? ValueTask.CompletedTask : StopAndCleanAsync();

    private async ValueTask StopAndCleanAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (Node is not null) await Node.StopAsync(KubeconfigPath); // while the API server can still delete its pods
        foreach (var process in Processes)
        {
            await process.StopAsync(TeardownGrace);
        }
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a stray file handle must not fail shutdown
            }
        }
    }
}
