using System.Security.Cryptography.X509Certificates;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace GmsaOperator.Webhooks.Certificates;

/// <summary>
/// The webhook's serving certificate, asked for on every TLS handshake (Kestrel <c>ServerCertificateSelector</c>), so a
/// certificate controller can swap it without a restart.
/// </summary>
public interface IServingCertificateProvider
{
    /// <summary>Compatible with <c>HttpsConnectionAdapterOptions.ServerCertificateSelector</c>.</summary>
    X509Certificate2? SelectCertificate(ConnectionContext? connection, string? serverName);

    /// <summary>PEM of the CA(s) that clients (the API server) must trust: the <c>caBundle</c> of the webhook configurations (raw PEM bytes).</summary>
    byte[] GetCaBundlePem();

    /// <summary>
    /// Makes <paramref name="listen"/> the TLS 1.2+ endpoint serving this provider's certificate, admitting only the
    /// callers <paramref name="clients"/> accepts.
    /// </summary>
    void ConfigureHttps(ListenOptions listen, WebhookClientAuthentication clients)
    {
        var options = new HttpsConnectionAdapterOptions
        {
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ServerCertificateSelector = SelectCertificate,
        };
        clients.Apply(options);
        listen.UseHttps(options);
    }

    /// <summary>Completes once a certificate can be served (at once for a certificate generated at start).</summary>
    Task WaitUntilServingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
