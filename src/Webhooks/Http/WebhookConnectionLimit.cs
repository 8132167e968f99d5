using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Webhooks.Http;

/// <summary>
/// Caps the connections open on the webhook port (<see cref="WebhookOptions.MaxConnections"/>). Kestrel's own cap
/// counts every port of the server, so a flood of webhook connections would also shut out the kubelet's health probes
/// and Prometheus; this one is installed on the webhook listener only, ahead of TLS, so a refused connection costs
/// neither a handshake nor buffers.
/// </summary>
public sealed partial class WebhookConnectionLimit(int maxConnections, TimeProvider time, ILogger<WebhookConnectionLimit> logger)
{
    private readonly LogBudget _refusalLogs = new(time, 1);
    private int _open;

    /// <summary>Connections currently open (counted from arrival, before TLS).</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Connection middleware for <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        if (Interlocked.Increment(ref _open) > maxConnections)
        {
            Interlocked.Decrement(ref _open);
            if (_refusalLogs.TryTake(out var heldBack)) LogRefused(logger, connection.RemoteEndPoint?.ToString() ?? "?", maxConnections, heldBack);
            // Returning without running the rest of the pipeline makes Kestrel close the connection.
            return;
        }
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    };

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "webhook port: closed a connection from {Remote} on arrival, {Max} already open (Webhooks:MaxConnections; {HeldBack} more since the last line)")]
    private static partial void LogRefused(ILogger logger, string remote, int max, int heldBack);
}
