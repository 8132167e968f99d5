using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Webhooks.Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Serves the webhooks from the certificate manager's hot-swapped certificate (handshake callback, no file mounts).</summary>
public sealed class ManagedServingCertificateProvider(IServingCertificateSource source, TimeProvider time) : IServingCertificateProvider
{
    public X509Certificate2? SelectCertificate(ConnectionContext? connection, string? serverName) => source.Current?.Certificate;

    public byte[] GetCaBundlePem() => source.GetCaBundlePem();

    public void ConfigureHttps(ListenOptions listen) => source.ConfigureHttps(listen);

    public async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        while (source.Current is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
        }
    }
}
