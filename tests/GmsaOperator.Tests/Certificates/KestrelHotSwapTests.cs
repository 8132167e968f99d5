using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Operator.Certificates;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using System.Security.Authentication;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

/// <summary>In-process Kestrel on loopback served through the handshake callback while the leaf is swapped.</summary>
[NonParallelizable]
public class KestrelHotSwapTests
{
    private static readonly CertificateSettings S = Settings(o => o.LocalMode = true);

    private static async Task<(WebApplication App, int Port)> StartAsync(ServingCertificateStore store)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, store.ConfigureHttps));
        var app = builder.Build();
        app.MapGet("/", () => Results.Text("ok"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address).Port);
    }

    /// <summary>A fresh TCP connection and full TLS handshake trusting only <paramref name="bundle"/>; returns the served fingerprint.</summary>
    private static async Task<string> HandshakeAsync(int port, TrustBundle bundle)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate2? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            if (cert is null) return false;
            seen = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
            return bundle.FindIssuer(seen, DateTimeOffset.UtcNow) is not null;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
            AllowTlsResume = false,
        });
        return seen!.Sha256();
    }

    [Test]
    public async Task ConcurrentFreshHandshakes_WhileLeafIsSwapped_NeverFail()
    {
        using var store = new ServingCertificateStore(S, TimeProvider.System, NullLogger<ServingCertificateStore>.Instance);
        var now = DateTimeOffset.UtcNow;
        var ca = Ca(now, S);
        var leaves = Enumerable.Range(0, 12).Select(_ => ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, now, S), ca.Certificate, S)).ToList();
        Assert.That(store.TryUpdate(leaves[0], ca.Bundle), Is.True);
        var (app, port) = await StartAsync(store);
        await using var running = app;

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<Exception>();
        var handshakes = 0;
        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await HandshakeAsync(port, ca.Bundle);
                    Interlocked.Increment(ref handshakes);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            }
        })).ToList();

        for (var i = 1; i < leaves.Count; i++)
        {
            // Every leaf is served to several concurrent handshakes before the next swap.
            var before = Volatile.Read(ref handshakes);
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while (Volatile.Read(ref handshakes) < before + 5 && failures.IsEmpty) await Task.Delay(5, wait.Token);
            }
            Assert.That(store.TryUpdate(leaves[i], ca.Bundle), Is.True);
            // A new connection sees the newest certificate at once.
            Assert.That(await HandshakeAsync(port, ca.Bundle), Is.EqualTo(store.Current!.Fingerprint));
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(3).Select(f => f.ToString())));
        Assert.That(handshakes, Is.GreaterThanOrEqualTo(5 * (leaves.Count - 1)));
    }

    [Test]
    public async Task GarbageThenDeletedSecret_KeepServingTheSameCertificate()
    {
        using var store = new ServingCertificateStore(S, TimeProvider.System, NullLogger<ServingCertificateStore>.Instance);
        var now = DateTimeOffset.UtcNow;
        var ca = Ca(now, S);
        store.TryUpdate(ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, now, S), ca.Certificate, S), ca.Bundle);
        store.ObserveBundles([ObservedBundle.Parse(ca.Bundle.ToPemBytes())]);
        var (app, port) = await StartAsync(store);
        await using var running = app;
        var before = await HandshakeAsync(port, ca.Bundle);

        var garbage = new V1Secret { Metadata = new V1ObjectMeta { Name = S.ServingSecretName }, Data = new Dictionary<string, byte[]> { ["tls.crt"] = "x"u8.ToArray(), ["tls.key"] = "y"u8.ToArray() } };
        Assert.That(store.TryUpdate(garbage, ca.Bundle), Is.False);
        Assert.That(await HandshakeAsync(port, ca.Bundle), Is.EqualTo(before));
        Assert.That(store.TryUpdate(null, ca.Bundle), Is.False);
        Assert.That(await HandshakeAsync(port, ca.Bundle), Is.EqualTo(before));
        Assert.That(store.IsReady(out var reason), Is.True, reason);
    }

    [Test]
    public async Task CaRotationOnTheServingSide_OnlyClientsTrustingTheNewCaAccept()
    {
        using var store = new ServingCertificateStore(S, TimeProvider.System, NullLogger<ServingCertificateStore>.Instance);
        var now = DateTimeOffset.UtcNow;
        var n = Ca(now, S);
        var n1 = Ca(now + TimeSpan.FromSeconds(1), S, 2, n.Certificate);
        store.TryUpdate(ServingSecret(CertificateIssuer.IssueLeaf(n.Certificate, now, S), n.Certificate, S), n1.Bundle);
        var (app, port) = await StartAsync(store);
        await using var running = app;
        var onlyOld = TrustBundle.From([n.Certificate], now);
        Assert.That(await HandshakeAsync(port, onlyOld), Is.Not.Empty);

        Assert.That(store.TryUpdate(ServingSecret(CertificateIssuer.IssueLeaf(n1.Certificate, now, S), n1.Certificate, S), n1.Bundle), Is.True);
        Assert.That(await HandshakeAsync(port, n1.Bundle), Is.EqualTo(store.Current!.Fingerprint));
        Assert.ThrowsAsync<AuthenticationException>(() => HandshakeAsync(port, onlyOld));
        // Readiness (issuer in every observed caBundle) blocks exactly this.
        store.ObserveBundles([ObservedBundle.Parse(onlyOld.ToPemBytes())]);
        Assert.That(store.IsReady(out _), Is.False);
    }
}
