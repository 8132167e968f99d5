using System.CommandLine;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.Operator.LocalControlPlane;
using k8s;

namespace GmsaOperator.Operator.Cli;

/// <summary><c>gmsa-operator run</c>: runs the operator against a cluster, or against a local control plane when none is given.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig of the cluster to run against (default: $KUBECONFIG; with neither, a local control plane is started)" };
        var command = new Command("run", "Run the operator.");
        var healthPort = new Option<int?>("--health-port") { Description = "Port of /healthz, /readyz and /metrics (default 8081; a free port with a local control plane)" };
        var operatorNamespace = new Option<string?>("--namespace") { Description = "Namespace of the operator (leader-election Lease); default $POD_NAMESPACE, else 'default'" };
        command.Options.Add(kubeconfig);
        command.Options.Add(healthPort);
        command.Options.Add(operatorNamespace);
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(kubeconfig) ?? NullIfEmpty(Environment.GetEnvironmentVariable("KUBECONFIG"));
            LocalControlPlane.LocalControlPlane? plane = null;
            try
            {
                if (path is null)
                {
                    Console.Error.WriteLine("==> No KUBECONFIG or --kubeconfig given: starting a local control plane (first run builds it, ~5 min).");
                    plane = await LocalControlPlane.LocalControlPlane.StartAsync(new LocalControlPlaneOptions(), ct);
                    path = plane.KubeconfigPath;
                    using var client = plane.CreateClient();
                    await CrdInstaller.InstallAsync(client, GmsaOperator.Entities.CustomResourceDefinitions.All(), Console.Error, ct);
                    Console.Error.WriteLine($"""
                        ==> Local control plane is running. From another shell:
                              export KUBECONFIG={path}
                              kubectl get ns
                            Press Ctrl-C to stop the operator and the control plane.
                        """);
                }
                else if (!File.Exists(path))
                {
                    Console.Error.WriteLine($"error: kubeconfig '{path}' does not exist.");
                    return 2;
                }

                var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
                var port = parse.GetValue(healthPort) ?? (plane is null ? 8081 : FreePorts.Next());
                await using var host = OperatorHost.Build(config, [], port, parse.GetValue(operatorNamespace));
                await host.RunAsync(ct);
                return 0;
            }
            catch (ControlPlaneException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 130;
            }
            finally
            {
                if (plane is not null)
                {
                    Console.Error.WriteLine("==> Stopping the local control plane.");
                    await plane.DisposeAsync();
                }
            }
        });
        return command;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
