using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using GmsaOperator.LocalControlPlane;
using GmsaOperator.TestSupport;
using GmsaOperator.Webhooks;
using GmsaOperator.Webhooks.Http;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Tests.Webhooks.PortLimits;

/// <summary>
/// The webhook port on a real Kestrel holds bounded memory whatever arrives: connections beyond
/// <c>Webhooks:MaxConnections</c> are closed on arrival, and bodies grow only within <c>Webhooks:MaxInFlightBodyBytes</c>
/// (otherwise 503 after the wait), whatever lengths callers declare.
/// </summary>
[NonParallelizable]
public sealed class WebhookPortLimitsTests
{
    private const int BodyLimit = 64 * 1024;
    private const int Declared = 60_000;

    private static async Task<(WebApplication App, int Port)> StartAsync(int maxConnections)
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(_ => { });
        builder.Services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }));
        builder.Services.AddGmsaWebhooks(configure: o =>
        {
            o.Port = port;
            o.ListenAddress = "127.0.0.1";
            o.MaxConnections = maxConnections;
            o.MaxRequestBodyBytes = BodyLimit;
            o.MaxInFlightBodyBytes = BodyLimit;
        });
        var app = builder.Build();
        app.UseGmsaWebhooks();
        await app.StartAsync();
        return (app, port);
    }

    private static async Task<SslStream> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        return tls;
    }

    private static byte[] PostHead(int contentLength) =>
        Encoding.ASCII.GetBytes($"POST {WebhookPaths.ValidatePod} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n\r\n");

    private static async Task<string> StatusLineAsync(SslStream tls)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[512];
        var read = await tls.ReadAsync(buffer, timeout.Token);
        return read == 0 ? "(closed)" : Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
    }

    [Test]
    public async Task ConnectionsBeyondTheLimit_AreClosedOnArrival_UntilOneOfTheOpenOnesEnds()
    {
        var (app, port) = await StartAsync(maxConnections: 3);
        await using var _ = app;
        var limit = app.Services.GetRequiredService<WebhookConnectionLimit>();

        var open = new List<SslStream>();
        try
        {
            for (var i = 0; i < 3; i++) open.Add(await ConnectAsync(port));
            await Eventually.TrueAsync(() => limit.Open == 3, "three open connections");

            var refused = await TlsProbe.RequestAsync(port, null);
            Assert.That(refused.Answered, Is.False, refused.ToString());

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await Eventually.TrueAsync(() => limit.Open == 2, "the closed connection to be counted out");
            var answered = await TlsProbe.RequestAsync(port, null);
            Assert.That(answered.StatusLine, Does.StartWith("HTTP/1.1 "), answered.ToString());
        }
        finally
        {
            foreach (var tls in open) await tls.DisposeAsync();
        }
    }

    [Test]
    public async Task ABodyThatDoesNotFitWhatOthersDeclared_Gets503_AndTheirsAreStillAnswered()
    {
        var (app, port) = await StartAsync(maxConnections: 16);
        await using var _ = app;
        var budget = app.Services.GetRequiredService<BodyBudget>();
        var filler = Encoding.ASCII.GetBytes(new string(' ', Declared));

        // The first caller declares 60,000 bytes and sends ten: its first share is held while it trickles, and the
        // second's body, sent at once, cannot grow past what is left.
        await using var slow = await ConnectAsync(port);
        await slow.WriteAsync(PostHead(Declared));
        await slow.WriteAsync(filler.AsMemory(0, 10));
        await Eventually.TrueAsync(() => budget.InUse == AdmissionBodyReader.FirstShare, "the first body's first share to be granted");

        await using (var second = await ConnectAsync(port))
        {
            await second.WriteAsync(PostHead(Declared));
            await second.WriteAsync(filler);
            Assert.That(await StatusLineAsync(second), Is.EqualTo("HTTP/1.1 503 Service Unavailable"));
        }

        await slow.WriteAsync(filler.AsMemory(10));
        Assert.That(await StatusLineAsync(slow), Is.EqualTo("HTTP/1.1 400 Bad Request"), "the held body is read and answered (it is not a review)");
        await Eventually.TrueAsync(() => budget.InUse == 0, "the answered request's share to be given back");

        await using var third = await ConnectAsync(port);
        await third.WriteAsync(PostHead(Declared));
        await third.WriteAsync(filler);
        Assert.That(await StatusLineAsync(third), Is.EqualTo("HTTP/1.1 400 Bad Request"), "room again");
    }
}
