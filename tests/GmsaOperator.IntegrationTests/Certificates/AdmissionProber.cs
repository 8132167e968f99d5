using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Certificates;

/// <summary>
/// Creates (and deletes) a plain pod every ~200 ms in a namespace the failurePolicy-Fail webhooks match and counts the
/// admissions that failed: with Fail, any TLS verification problem between the API server and the webhook is a failed
/// pod creation.
/// </summary>
internal sealed class AdmissionProber : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private Task _loop = Task.CompletedTask;
    private int _admitted;

    public AdmissionProber(IKubernetes client, string @namespace)
    {
        _client = client;
        _namespace = @namespace;
    }

    public int Admitted => Volatile.Read(ref _admitted);

    public IReadOnlyCollection<string> Failures => _failures;

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    private async Task LoopAsync(CancellationToken ct)
    {
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var name = $"probe-{i}";
            try
            {
                await _client.CoreV1.CreateNamespacedPodAsync(Pod(name), _namespace, cancellationToken: ct);
                Interlocked.Increment(ref _admitted);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e)
            {
                _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {name}: {(int)e.Response.StatusCode} {e.Response.Content}");
            }
            catch (Exception e)
            {
                _failures.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {name}: {e.Message}");
            }
            try
            {
                // Unscheduled pods are removed at once; deletes are not admitted by our hooks.
                await _client.CoreV1.DeleteNamespacedPodAsync(name, _namespace, gracePeriodSeconds: 0, cancellationToken: ct);
            }
            catch (HttpOperationException)
            {
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public static V1Pod Pod(string name, string? credentialSpec = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            AutomountServiceAccountToken = false,
            SecurityContext = credentialSpec is null ? null : new V1PodSecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = credentialSpec } },
            Containers = [new V1Container { Name = "c", Image = "registry.invalid/c:1" }],
        },
    };

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
