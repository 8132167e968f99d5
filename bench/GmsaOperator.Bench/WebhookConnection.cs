using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GmsaOperator.Bench;

/// <summary>
/// One keep-alive HTTP/1.1 connection over TLS to the operator's webhook port on loopback, trusting only the CA from its
/// webhook configuration. The load generators use it rather than HttpClient because they share the two cores with what
/// they measure: a request is one write of head and body, an answer usually one read, so the generator costs what TLS
/// costs and little more (HttpClient's pooling, header collections and content streams took a large part of a core at
/// 10,000 req/s). Not thread-safe: one request at a time.
/// </summary>
internal sealed class WebhookConnection : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly SslStream _tls;
    private byte[] _send = new byte[64 * 1024];
    private readonly byte[] _receive = new byte[64 * 1024];

    private WebhookConnection(Socket socket, SslStream tls)
    {
        _socket = socket;
        _tls = tls;
    }

    /// <summary>False once the server said it closes the connection or a request on it failed: open a new one.</summary>
    public bool Reusable { get; private set; } = true;

    public static async Task<WebhookConnection> OpenAsync(int port, X509Certificate2 ca, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            }, cancellationToken);
            return new WebhookConnection(socket, tls);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The fixed part of a POST's head up to the Content-Length value, built once per path.</summary>
    public static byte[] HeadPrefix(int port, string path) =>
        Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: ");

    /// <summary>
    /// Sends one POST (<paramref name="headPrefix"/> from <see cref="HeadPrefix"/>) and reads its whole answer; the body
    /// is valid until the next call. Throws on I/O errors, a malformed answer or after 10 s without one.
    /// </summary>
    public async Task<(int Status, ReadOnlyMemory<byte> Body)> PostAsync(byte[] headPrefix, byte[] body, CancellationToken cancellationToken)
    {
        Reusable = false;
        var needed = headPrefix.Length + 16 + body.Length;
        if (_send.Length < needed) _send = new byte[needed];
        headPrefix.CopyTo(_send, 0);
        var at = headPrefix.Length;
        Utf8Formatter.TryFormat(body.Length, _send.AsSpan(at), out var digits);
        at += digits;
        "\r\n\r\n"u8.CopyTo(_send.AsSpan(at));
        at += 4;
        body.CopyTo(_send, at);
        at += body.Length;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        await _tls.WriteAsync(_send.AsMemory(0, at), timeout.Token);

        var received = 0;
        HttpResponseHead head;
        while (!HttpResponseHead.TryParse(_receive.AsSpan(0, received), out head)) received += await ReadMoreAsync(received, timeout.Token);
        var total = head.HeadLength + head.ContentLength;
        if (total > _receive.Length) throw new IOException($"answer larger than {_receive.Length} bytes");
        while (received < total) received += await ReadMoreAsync(received, timeout.Token);
        if (received > total) throw new IOException("bytes after the answer to a single request");
        Reusable = !head.Close;
        return (head.Status, _receive.AsMemory(head.HeadLength, head.ContentLength));
    }

    private async Task<int> ReadMoreAsync(int received, CancellationToken cancellationToken)
    {
        if (received == _receive.Length) throw new IOException($"answer head larger than {_receive.Length} bytes");
        var read = await _tls.ReadAsync(_receive.AsMemory(received), cancellationToken);
        return read > 0 ? read : throw new IOException("the server closed the connection mid-answer");
    }

    public void Dispose()
    {
        _tls.Dispose();
        _socket.Dispose();
    }
}
