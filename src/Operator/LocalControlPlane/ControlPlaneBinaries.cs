namespace GmsaOperator.LocalControlPlane;

/// <summary>Where the etcd, kube-apiserver and (optionally) kube-controller-manager and node binaries live.</summary>
public sealed record ControlPlaneBinaries(string Etcd, string KubeApiServer, string? KubeControllerManager)
{
    /// <summary>kubelet, kube-scheduler and kube-proxy of the optional node; null when the directory lacks one.</summary>
    public NodeBinaries? Node { get; init; }

    /// <summary>
    /// Uses <c>KUBEBUILDER_ASSETS</c> when set; otherwise runs the embedded build script, which installs etcd from
    /// Debian and builds (once, cached per version) the control-plane and node binaries from Debian's source.
    /// </summary>
    public static async Task<ControlPlaneBinaries> ResolveAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var assets = Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS");
        if (!string.IsNullOrEmpty(assets))
        {
            return FromDirectory(assets, requireControllerManager: false);
        }

        var script = Path.Combine(Path.GetTempPath(), $"gmsa-control-plane-build-{Environment.ProcessId}.sh");
        await EmbeddedScript.ExtractAsync("control-plane-build.sh", script, cancellationToken);
        try
        {
            var result = await EmbeddedScript.RunAsync(script, [], progress, cancellationToken);
            if (result.ExitCode != 0)
            {
                var error = result.Error ?? $"control-plane build script exited with {result.ExitCode}";
                throw new ControlPlaneException($"Building the local control plane failed: {error}. Last output:{Environment.NewLine}{string.Join(Environment.NewLine, result.LastLines)}");
            }

            var dir = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
                ?? throw new ControlPlaneException("The control-plane build script did not print the binaries directory.");
            return FromDirectory(dir, requireControllerManager: true);
        }
        finally
        {
            File.Delete(script);
        }
    }

    public static ControlPlaneBinaries FromDirectory(string dir, bool requireControllerManager)
    {
        string Require(string name)
        {
            var path = Path.Combine(dir, name);
            return File.Exists(path) ? path : throw new ControlPlaneException($"'{name}' was not found in '{dir}'.");
        }

        string? Optional(string name) => File.Exists(Path.Combine(dir, name)) ? Path.Combine(dir, name) : null;

        var (kubelet, scheduler, proxy) = (Optional("kubelet"), Optional("kube-scheduler"), Optional("kube-proxy"));
        return new ControlPlaneBinaries(
            Require("etcd"),
            Require("kube-apiserver"),
            Optional("kube-controller-manager") ?? (requireControllerManager ? Require("kube-controller-manager") : null))
        {
            Node = kubelet is not null && scheduler is not null && proxy is not null ? new NodeBinaries(kubelet, scheduler, proxy) : null,
        };
    }
}

/// <summary>The binaries of a local node, built with the control plane.</summary>
public sealed record NodeBinaries(string Kubelet, string KubeScheduler, string KubeProxy);
