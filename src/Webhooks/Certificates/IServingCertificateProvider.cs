using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;

namespace GmsaOperator.Webhooks.Certificates;

/// <summary>
/// The webhook's serving certificate, asked for on every TLS handshake (Kestrel <c>ServerCertificateSelector</c>), so a
/// certificate manager can swap it without a restart.
/// </summary>
public interface IServingCertificateProvider
{
    /// <summary>Compatible with <c>HttpsConnectionAdapterOptions.ServerCertificateSelector</c>.</summary>
    X509Certificate2? SelectCertificate(ConnectionContext? connection, string? serverName);

    /// <summary>PEM of the CA(s) that clients (the API server) must trust: the <c>caBundle</c> of the webhook configurations (raw PEM bytes).</summary>
    byte[] GetCaBundlePem();
}
