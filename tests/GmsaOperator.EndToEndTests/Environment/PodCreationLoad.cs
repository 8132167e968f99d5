using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.EndToEndTests.Environment;

/// <summary>
/// A workload controller's view of the webhooks: creates a GMSA pod every <c>interval</c> (each creation in flight
/// on its own, so a slow answer does not slow the rate) and counts creations that failed or came back unexpanded.
/// The pods select Windows nodes, so they stay Pending: admission is what is measured, not the node.
/// </summary>
internal sealed class PodCreationLoad : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _serviceAccount;
    private readonly string _credentialSpec;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _inFlight = [];
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly Task _loop;
    private int _total;
    private int _failed;

    private PodCreationLoad(IKubernetes client, string @namespace, string serviceAccount, string credentialSpec, TimeSpan interval)
    {
        _client = client;
        _namespace = @namespace;
        _serviceAccount = serviceAccount;
        _credentialSpec = credentialSpec;
        _loop = RunAsync(interval);
    }

    public static PodCreationLoad Start(IKubernetes client, string @namespace, string serviceAccount, string credentialSpec, TimeSpan interval) =>
        new(client, @namespace, serviceAccount, credentialSpec, interval);

    public sealed record Outcome(int Total, int Failed, IReadOnlyList<string> FirstErrors)
    {
        public override string ToString() => $"{Total} pod creations, {Failed} failed" +
            (FirstErrors.Count == 0 ? "" : $"; first errors:{System.Environment.NewLine}  {string.Join(System.Environment.NewLine + "  ", FirstErrors)}");
    }

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        var i = 0;
        try
        {
            do
            {
                var name = $"load-{i++:D5}";
                _inFlight.Add(CreateOneAsync(name));
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CreateOneAsync(string name)
    {
        Interlocked.Increment(ref _total);
        var sw = Stopwatch.StartNew();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            var created = await _client.CoreV1.CreateNamespacedPodAsync(Pod(name), _namespace, cancellationToken: timeout.Token);
            if (created.Spec.SecurityContext?.WindowsOptions?.GmsaCredentialSpec is not { Length: > 0 })
            {
                Fail($"{name}: created without expanded GMSA contents");
            }
        }
        catch (HttpOperationException e)
        {
            Fail($"{name} after {sw.ElapsedMilliseconds} ms: {(int)e.Response.StatusCode} {e.Response.Content}");
        }
        catch (Exception e)
        {
            Fail($"{name} after {sw.ElapsedMilliseconds} ms: {e.GetType().Name}: {e.Message}");
        }
    }

    private void Fail(string error)
    {
        Interlocked.Increment(ref _failed);
        if (_errors.Count < 5) _errors.Enqueue(error);
    }

    private V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "pod-creation-load" } },
        Spec = new V1PodSpec
        {
            ServiceAccountName = _serviceAccount,
            NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "windows" },
            SecurityContext = new V1PodSecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = _credentialSpec } },
            Containers = [new V1Container { Name = "app", Image = "mcr.microsoft.com/windows/nanoserver:ltsc2022" }],
        },
    };

    /// <summary>Stops creating and waits for the creations still in flight.</summary>
    public async Task<Outcome> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await Task.WhenAll(_inFlight);
        return new Outcome(_total, _failed, [.. _errors]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
