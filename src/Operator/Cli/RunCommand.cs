using System.CommandLine;
using GmsaOperator.Operator.Hosting;
using k8s;

namespace GmsaOperator.Operator.Cli;

/// <summary>
/// <c>run</c>: runs the operator against a cluster (kubeconfig, or in a pod its service account). With neither, the
/// development host passes <paramref name="startLocal"/> to start a local control plane; the shipped executable
/// has none and says how to get one.
/// </summary>
public static class RunCommand
{
    public const string NoClusterMessage =
        "no cluster to run against: set KUBECONFIG or pass --kubeconfig (in a pod, the service account is used). " +
        "To try the operator on a local control plane, run `make run` from a clone of the repository.";

    public static Command Create(LocalClusterStarter? startLocal = null)
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = startLocal is null
            ? "Kubeconfig of the cluster to run against (default: $KUBECONFIG)"
            : "Kubeconfig of the cluster to run against (default: $KUBECONFIG; with neither, a local control plane is started)" };
        var command = new Command("run", "Run the operator.");
        // The shipped executable has no local control plane: its help does not mention one.
        var withLocal = startLocal is null ? "" : "; a free port with a local control plane";
        var healthPort = new Option<int?>("--health-port") { Description = $"Plain-HTTP port of /healthz and /readyz, and of /metrics outside a pod (default 8081{withLocal}); in a pod /metrics is HTTPS on Metrics:Port (8443)" };
        var operatorNamespace = new Option<string?>("--namespace") { Description = "Namespace of the operator (leader-election Lease); default $POD_NAMESPACE, else 'gmsa-system'" };
        var webhookPort = new Option<int?>("--webhook-port") { Description = $"HTTPS port of the admission webhooks (default 9443{withLocal})" };
        var localWebhooks = new Option<bool?>("--local-webhooks") { Description = "Register webhook configurations pointing at https://127.0.0.1:<webhook-port> and remove them on exit" +
            (startLocal is null ? " (default: off)" : " (default: on with a local control plane only)") };
        command.Options.Add(kubeconfig);
        command.Options.Add(healthPort);
        command.Options.Add(operatorNamespace);
        command.Options.Add(webhookPort);
        command.Options.Add(localWebhooks);
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(kubeconfig) ?? NullIfEmpty(Environment.GetEnvironmentVariable("KUBECONFIG"));
            // In a pod (config/default's Deployment) the service-account credentials are the cluster to run against.
            var inCluster = path is null && KubernetesClientConfiguration.IsInCluster();
            ILocalCluster? plane = null;
            try
            {
                if (path is null && !inCluster)
                {
                    if (startLocal is null)
                    {
                        Console.Error.WriteLine($"error: {NoClusterMessage}");
                        return 2;
                    }
                    Console.Error.WriteLine("==> No KUBECONFIG or --kubeconfig given: starting a local control plane (first run builds it, ~5 min).");
                    try
                    {
                        plane = await startLocal(ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Console.Error.WriteLine($"error: {e.Message}");
                        return 1;
                    }
                    path = plane.KubeconfigPath;
                }
                else if (!inCluster && !File.Exists(path))
                {
                    Console.Error.WriteLine($"error: kubeconfig '{path}' does not exist.");
                    return 2;
                }

                var config = inCluster ? KubernetesClientConfiguration.InClusterConfig() : KubeconfigLoader.Load(path!);
                var port = parse.GetValue(healthPort) ?? plane?.HealthPort ?? 8081;
                var registerLocally = parse.GetValue(localWebhooks) ?? plane is not null;
                var hookPort = parse.GetValue(webhookPort) ?? plane?.WebhookPort ?? 9443;
                var @namespace = OperatorHost.ResolveNamespace(parse.GetValue(operatorNamespace));
                // Before the host starts: without its namespace the operator would never lead and never say why.
                using (var client = new Kubernetes(config))
                {
                    if (plane is not null)
                    {
                        await CrdInstaller.InstallAsync(client, GmsaOperator.Entities.CustomResourceDefinitions.All(), Console.Error, ct);
                        Console.Error.WriteLine($"""
                            ==> Local control plane is running. From another shell:
                                  export KUBECONFIG={path}
                                  kubectl get ns
                                Press Ctrl-C to stop the operator and the control plane.
                            """);
                    }
                    var check = await OperatorNamespaceCheck.RunAsync(client, @namespace, createIfMissing: registerLocally || plane is not null, ct);
                    if (!check.Ok)
                    {
                        Console.Error.WriteLine($"error: {check.Message}");
                        return 1;
                    }
                    if (check.Message is not null) Console.Error.WriteLine($"==> {check.Message}");
                }
                await using var host = OperatorHost.Build(config, [], port, @namespace, o =>
                {
                    o.Port = hookPort;
                    o.RegisterLocally = registerLocally;
                    if (registerLocally) o.ListenAddress = "127.0.0.1";
                }, certificates: s =>
                {
                    s.LocalMode = registerLocally;
                    // The caBundle goes into the configurations this process registers, never into config/default's.
                    if (!registerLocally) return;
                    s.MutatingWebhookConfigurationName = GmsaOperator.Entities.Deployment.OperatorDeployment.LocalWebhookConfigurationName;
                    s.ValidatingWebhookConfigurationName = GmsaOperator.Entities.Deployment.OperatorDeployment.LocalWebhookConfigurationName;
                });
                await host.RunAsync(ct);
                return 0;
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
