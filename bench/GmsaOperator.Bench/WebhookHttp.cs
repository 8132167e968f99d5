using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Bench;

/// <summary>
/// One load-generator worker's client of the operator's webhook port on loopback: a single keep-alive
/// <see cref="WebhookConnection"/>, used from the worker's own thread. A failed connection is dropped and the next
/// request opens a new one.
/// </summary>
internal sealed class WebhookHttp(int port, X509Certificate2 ca) : IDisposable
{
    private WebhookConnection? _connection;

    /// <summary>Sends one review and waits for its answer; returns the outcome against what the request must get.</summary>
    public (AdmissionOutcome.Kind Kind, string? Error) Send(byte[] head, AdmissionRequest request)
    {
        try
        {
            _connection ??= WebhookConnection.Open(port, ca);
            var (status, body) = _connection.Post(head, request.Body);
            var outcome = AdmissionOutcome.Classify((HttpStatusCode)status, body.Span, request.Expect);
            if (!_connection.Reusable) Dispose();
            return outcome;
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or FormatException)
        {
            Dispose();
            return (AdmissionOutcome.Kind.Error, e.GetType().Name + ": " + e.Message);
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
