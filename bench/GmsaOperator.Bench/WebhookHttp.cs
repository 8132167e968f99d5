using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Bench;

/// <summary>
/// Reviews to the operator's webhook port on loopback over up to <c>maxConnections</c> keep-alive
/// <see cref="WebhookConnection"/>s; a request that finds every connection busy waits for one (and that wait is part of
/// its latency). A failed connection is dropped and the next request opens a new one.
/// </summary>
internal sealed class WebhookHttp(int port, X509Certificate2 ca, int maxConnections) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxConnections, maxConnections);
    private readonly ConcurrentBag<WebhookConnection> _idle = [];

    /// <summary>The head every request to <paramref name="path"/> starts with (build once per run).</summary>
    public byte[] HeadFor(string path) => WebhookConnection.HeadPrefix(port, path);

    /// <summary>Sends one review; returns the outcome against what the request must get.</summary>
    public async Task<(AdmissionOutcome.Kind Kind, string? Error)> SendAsync(byte[] head, AdmissionRequest request, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        WebhookConnection? connection = null;
        try
        {
            connection = _idle.TryTake(out var idle) ? idle : await WebhookConnection.OpenAsync(port, ca, cancellationToken);
            var (status, body) = await connection.PostAsync(head, request.Body, cancellationToken);
            return AdmissionOutcome.Classify((HttpStatusCode)status, body.Span, request.Expect);
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or FormatException or OperationCanceledException
                                  && !cancellationToken.IsCancellationRequested)
        {
            return (AdmissionOutcome.Kind.Error, e.GetType().Name + ": " + e.Message);
        }
        finally
        {
            if (connection is { Reusable: true }) _idle.Add(connection);
            else connection?.Dispose();
            _slots.Release();
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var connection)) connection.Dispose();
        _slots.Dispose();
    }
}
