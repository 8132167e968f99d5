using GmsaOperator.EndToEndTests.Deployed;

namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>
/// What the API server's path to the webhook looked like when an admission call failed: the Service's endpoints as
/// the endpoints and EndpointSlice controllers published them, the pods' IPs, kube-proxy's rules for the Service, the
/// host's TCP connections and conntrack entries towards the webhook port, and the bridge's neighbour table.
/// </summary>
internal static class WebhookPathSnapshot
{
    public static async Task<string> SaveAsync(string reason)
    {
        var text = new System.Text.StringBuilder().AppendLine($"# {DateTime.UtcNow:HH:mm:ss.fff} {reason}");
        async Task Add(string title, string file, params string[] args)
        {
            var result = await Shell.RunAsync(file, args, TimeSpan.FromSeconds(30));
            text.AppendLine($"## {title}: {file} {string.Join(' ', args)} (exit {result.ExitCode})").AppendLine(result.Stdout).AppendLine(result.Stderr);
        }
        var kubeconfig = E2ECluster.Plane.KubeconfigPath;
        await Add("pods", "kubectl", "--kubeconfig", kubeconfig, "-n", "gmsa-system", "get", "pods", "-o", "wide");
        await Add("endpoints", "kubectl", "--kubeconfig", kubeconfig, "-n", "gmsa-system", "get", "endpoints", "-o", "yaml");
        await Add("endpointslices", "kubectl", "--kubeconfig", kubeconfig, "-n", "gmsa-system", "get", "endpointslices", "-o", "yaml");
        await Add("kube-proxy rules", "sh", "-c", "iptables-save -t nat | grep -E 'gmsa-system/gmsa-operator-webhook-service|^:KUBE-SEP'");
        // The API server's sockets point at the Service IP (port 443), the pods' at 9443; state all shows CLOSE-WAIT ones too.
        await Add("TCP connections to the Service and the webhook port", "ss", "-tnoi", "state", "all", "( dport = :443 or dport = :9443 or sport = :9443 )");
        await Add("conntrack towards the webhook port", "sh", "-c", "conntrack -L -p tcp 2>/dev/null | grep -E 'dport=(9443|443) ' | grep -v 'dst=127.'");
        await Add("bridge neighbours", "ip", "neigh", "show", "dev", "gmsa0");
        var path = Path.Combine(E2ECluster.DiagnosticsDirectory, $"webhook-path-{DateTime.UtcNow:HHmmss}.txt");
        await File.WriteAllTextAsync(path, text.ToString());
        return path;
    }
}
