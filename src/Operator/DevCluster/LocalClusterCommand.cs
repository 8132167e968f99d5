using System.CommandLine;
using GmsaOperator.LocalControlPlane;

namespace GmsaOperator.DevCluster;

/// <summary><c>gmsa-operator-dev local-cluster up|down</c>: a detached local control plane for manual kubectl use.</summary>
public static class LocalClusterCommand
{
    public static string DefaultDirectory =>
        Path.Combine(Path.GetTempPath(), $"gmsa-operator-cluster-{Environment.UserName}");

    public static Command Create()
    {
        var dirOption = new Option<string>("--dir") { Description = "Directory for the control plane's files", DefaultValueFactory = _ => DefaultDirectory };
        var withNode = new Option<bool>("--node") { Description = "Also start a real node: containerd, kubelet, kube-scheduler, kube-proxy and a bridge CNI (needs root)" };
        var up = new Command("up", "Start a local etcd + kube-apiserver + kube-controller-manager that keeps running in the background.");
        up.Options.Add(dirOption);
        var foreground = new Option<bool>("--foreground") { Description = "Keep running until Ctrl-C or SIGTERM, then stop everything; processes and the node are also cleaned up if this process is killed" };
        up.Options.Add(withNode);
        up.Options.Add(foreground);
        up.SetAction(async (parse, ct) =>
        {
            var dir = Path.GetFullPath(parse.GetValue(dirOption)!);
            if (File.Exists(Path.Combine(dir, "pids")))
            {
                Console.Error.WriteLine($"A local control plane is already recorded in {dir}; run 'make cluster-down' first.");
                return 1;
            }
            Directory.CreateDirectory(dir);
            try
            {
                var attached = parse.GetValue(foreground);
                var plane = await LocalControlPlane.LocalControlPlane.StartAsync(
                    new LocalControlPlaneOptions { Directory = dir, Detached = !attached, WithNode = parse.GetValue(withNode) }, ct);
                Console.WriteLine($"Local control plane is up. Kubeconfig: {plane.KubeconfigPath}");
                Console.WriteLine($"  kubectl --kubeconfig {plane.KubeconfigPath} get ns");
                if (!attached)
                {
                    Console.WriteLine("Stop it with: make cluster-down");
                    return 0;
                }
                Console.WriteLine("Press Ctrl-C to stop it.");
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                }
                await plane.DisposeAsync();
                File.Delete(Path.Combine(dir, "pids"));
                return 0;
            }
            catch (ControlPlaneException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });

        var down = new Command("down", "Stop the local control plane started by 'up' and remove its files.");
        down.Options.Add(dirOption);
        down.SetAction(async (parse, _) =>
            await LocalControlPlane.LocalControlPlane.StopDetachedAsync(Path.GetFullPath(parse.GetValue(dirOption)!), Console.Out));

        var command = new Command("local-cluster", "Manage a local control plane for development.");
        command.Subcommands.Add(up);
        command.Subcommands.Add(down);
        return command;
    }
}
