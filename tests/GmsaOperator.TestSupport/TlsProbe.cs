using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GmsaOperator.TestSupport;

/// <summary>
/// A raw TLS client for a loopback HTTPS port (server certificate not verified): handshake, optionally with a client
/// certificate, then one HTTP/1.1 request. With TLS 1.3 the server verifies a client certificate after the client
/// considers the handshake done, so a refusal may only surface on the first read; either way no HTTP answer arrives.
/// </summary>
public static class TlsProbe
{
    /// <summary>The outcome: the HTTP status line when the server answered, else the TLS/IO failure.</summary>
    public sealed record Outcome(string? StatusLine, Exception? Failure)
    {
        public bool Answered => StatusLine is not null;

        public override string ToString() => StatusLine ?? $"no HTTP answer: {Failure?.GetType().Name}: {Failure?.Message}";
    }

    public static async Task<Outcome> RequestAsync(int port, X509Certificate2? clientCertificate, SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        string path = "/", CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocols,
                AllowTlsResume = false,
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            }, timeout.Token);
            var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            await tls.WriteAsync(request, timeout.Token);
            var buffer = new byte[256];
            var read = await tls.ReadAsync(buffer, timeout.Token);
            if (read == 0) return new Outcome(null, new IOException("the server closed the connection without an HTTP answer"));
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            return new Outcome(text.Split("\r\n")[0], null);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return new Outcome(null, e);
        }
    }
}
