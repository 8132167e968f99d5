using System.Diagnostics;
using System.Reflection;

namespace GmsaOperator.Operator.LocalControlPlane;

/// <summary>Where the etcd, kube-apiserver and (optionally) kube-controller-manager and node binaries live.</summary>
public sealed record ControlPlaneBinaries(string Etcd, string KubeApiServer, string? KubeControllerManager)
{
    /// <summary>kubelet, kube-scheduler and kube-proxy of the optional node; null when the directory lacks one.</summary>
    public NodeBinaries? Node { get; init; }

    /// <summary>
    /// Uses <c>KUBEBUILDER_ASSETS</c> when set; otherwise runs the embedded build script, which installs etcd from
    /// Debian and builds (once, cached per version) kube-apiserver and kube-controller-manager from Debian's source.
    /// </summary>
    public static async Task<ControlPlaneBinaries> ResolveAsync(TextWriter progress, CancellationToken cancellationToken)
    {
        var assets = Environment.GetEnvironmentVariable("KUBEBUILDER_ASSETS");
        if (!string.IsNullOrEmpty(assets))
        {
            return FromDirectory(assets, requireControllerManager: false);
        }

        var script = Path.Combine(Path.GetTempPath(), $"gmsa-control-plane-build-{Environment.ProcessId}.sh");
        await using (var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("control-plane-build.sh")
            ?? throw new ControlPlaneException("The control-plane build script is missing from the gmsa-operator assembly."))
        await using (var file = File.Create(script))
        {
            await resource.CopyToAsync(file, cancellationToken);
        }

        try
        {
            var psi = new ProcessStartInfo("/bin/bash", [script])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(psi) ?? throw new ControlPlaneException("Could not start /bin/bash to build the control plane.");
            var lastLines = new Queue<string>();
            var stderr = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync(cancellationToken) is { } line)
                {
                    lock (lastLines)
                    {
                        lastLines.Enqueue(line);
                        if (lastLines.Count > 20) lastLines.Dequeue();
                    }
                    if (line.StartsWith("==>", StringComparison.Ordinal) || line.StartsWith("+++", StringComparison.Ordinal) || line.StartsWith("ERROR", StringComparison.Ordinal))
                    {
                        await progress.WriteLineAsync(line);
                    }
                }
            }, cancellationToken);
            var stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await stderr;
            if (process.ExitCode != 0)
            {
                var error = lastLines.LastOrDefault(l => l.StartsWith("ERROR", StringComparison.Ordinal))
                    ?? $"ERROR: control-plane build script exited with {process.ExitCode}";
                throw new ControlPlaneException($"Building the local control plane failed: {error["ERROR: ".Length..]}. Last output:{Environment.NewLine}{string.Join(Environment.NewLine, lastLines)}");
            }

            var dir = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
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
