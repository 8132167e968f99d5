using System.Diagnostics;
using System.Text.Json;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>etcdctl against the test control plane's etcd.</summary>
internal static class Etcd
{
    public static async Task<string> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("etcdctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--endpoints={ControlPlaneSetup.Plane.EtcdEndpoint}");
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ETCDCTL_API"] = "3";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0) throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} failed: {error}");
        return output;
    }

    public static async Task<long> RevisionAsync(CancellationToken cancellationToken)
    {
        var json = await RunAsync(cancellationToken, "endpoint", "status", "-w", "json");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement[0].GetProperty("Status").GetProperty("header").GetProperty("revision").GetInt64();
    }
}
