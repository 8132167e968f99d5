using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace GmsaOperator.Bench;

/// <summary>HTTPS to the operator's webhook port on loopback, trusting only the CA from its webhook configuration.</summary>
internal static class WebhookHttp
{
    public static HttpClient Create(X509Certificate2 ca, int maxConnections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { ca },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Sends one review; returns the outcome against what the request must get.</summary>
    public static async Task<(AdmissionOutcome.Kind Kind, string? Error)> SendAsync(HttpClient client, Uri uri, AdmissionRequest request, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(request.Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(uri, content, cancellationToken);
            var read = await ReadAllAsync(await response.Content.ReadAsStreamAsync(cancellationToken), buffer, cancellationToken);
            return AdmissionOutcome.Classify(response.StatusCode, buffer.AsSpan(0, read), request.Expect);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return (AdmissionOutcome.Kind.Error, e.GetType().Name + ": " + e.Message);
        }
    }

    private static async Task<int> ReadAllAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
            if (total == buffer.Length) throw new IOException($"response larger than {buffer.Length} bytes");
        }
        return total;
    }
}
