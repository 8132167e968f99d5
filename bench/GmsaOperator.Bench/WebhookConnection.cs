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
/// they measure: a request is one write of head and body, an answer usually one blocking read on the caller's own
/// thread, so the generator costs what TLS costs and little more (HttpClient, its pooling, content streams and async
/// completions through the thread pool took two thirds of a core at 10,000 req/s). Not thread-safe: one request at a time.
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

    /// <summary>Connects and completes the TLS handshake; reads and writes time out after 10 s.</summary>
    public static WebhookConnection Open(int port, X509Certificate2 ca)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)RequestTimeout.TotalMilliseconds,
            SendTimeout = (int)RequestTimeout.TotalMilliseconds,
        };
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            tls.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            });
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
    /// is valid until the next call. Throws on I/O errors, a malformed answer or after 10 s without progress.
    /// </summary>
    public (int Status, ReadOnlyMemory<byte> Body) Post(byte[] headPrefix, byte[] body)
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

        _tls.Write(_send, 0, at);

        var received = 0;
        HttpResponseHead head;
        while (!HttpResponseHead.TryParse(_receive.AsSpan(0, received), out head)) received += ReadMore(received);
        var total = head.HeadLength + head.ContentLength;
        if (total > _receive.Length) throw new IOException($"answer larger than {_receive.Length} bytes");
        while (received < total) received += ReadMore(received);
        if (received > total) throw new IOException("bytes after the answer to a single request");
        Reusable = !head.Close;
        return (head.Status, _receive.AsMemory(head.HeadLength, head.ContentLength));
    }

    private int ReadMore(int received)
    {
        if (received == _receive.Length) throw new IOException($"answer head larger than {_receive.Length} bytes");
        var read = _tls.Read(_receive, received, _receive.Length - received);
        return read > 0 ? read : throw new IOException("the server closed the connection mid-answer");
    }

    public void Dispose()
    {
        _tls.Dispose();
        _socket.Dispose();
    }
}
