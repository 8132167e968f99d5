using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace GmsaOperator.Bench;

/// <summary>Result of the declared-body flood: the operator's RSS before, at most during and after, and how the requests were answered.</summary>
internal sealed record DeclaredFloodRun(int Connections, long? RssBeforeBytes, long? RssMaxBytes, long? RssAfterBytes, int Refused503, int Answered4xx, int NoAnswer)
{
    public double RssGrowthMb => RssBeforeBytes is { } before && RssMaxBytes is { } max ? (max - before) / 1e6 : double.NaN;
}

/// <summary>
/// <see cref="Connections"/> callers at once each declare the largest body the webhook accepts (3 MiB) and send all of it
/// but the last byte, then hold the request open: what an operator that buffers every declared body would hold is
/// Connections × 3 MiB. Each connection then waits for its answer (a 503 when the body budget had no room for it) for
/// up to <see cref="Hold"/>; RSS is sampled every 100 ms throughout, and once more after every connection is closed.
/// </summary>
internal static class DeclaredBodyFlood
{
    public const int Connections = 200;
    public const int DeclaredBytes = 3 * 1024 * 1024;
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(6);

    public static async Task<DeclaredFloodRun> RunAsync(int webhookPort, Func<long?> readRss, CancellationToken ct)
    {
        var before = readRss();
        long? max = before;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                if (readRss() is { } rss && rss > (max ?? 0)) max = rss;
                try
                {
                    await Task.Delay(100, sampling.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }, CancellationToken.None);

        var head = Encoding.ASCII.GetBytes($"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {DeclaredBytes}\r\n\r\n");
        var body = Encoding.ASCII.GetBytes(new string(' ', DeclaredBytes - 1));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => OneAsync(webhookPort, head, body, ct)));
        await sampling.CancelAsync();
        await sampler;
        return new DeclaredFloodRun(Connections, before, max, readRss(),
            outcomes.Count(o => o == 503), outcomes.Count(o => o is >= 400 and < 500), outcomes.Count(o => o == 0));
    }

    /// <summary>The status code the connection was answered with, 0 when it was closed or not answered within the hold.</summary>
    private static async Task<int> OneAsync(int port, byte[] head, byte[] body, CancellationToken ct)
    {
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hold.CancelAfter(Hold);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port, hold.Token);
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, hold.Token);
            await tls.WriteAsync(head, hold.Token);
            // Not awaited: a body the operator does not read stays in the socket buffers, and the answer comes first.
            var sending = tls.WriteAsync(body, hold.Token).AsTask();
            var buffer = new byte[512];
            var read = await tls.ReadAsync(buffer, hold.Token);
            if (read == 0) return 0;
            var status = Encoding.ASCII.GetString(buffer, 0, read).Split(' ');
            try
            {
                await sending;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
            return status.Length > 1 && int.TryParse(status[1], out var code) ? code : 0;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            return 0;
        }
    }
}
