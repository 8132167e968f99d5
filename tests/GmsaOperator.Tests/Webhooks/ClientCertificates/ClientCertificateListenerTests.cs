using System.Net;
using System.Security.Authentication;
using GmsaOperator.LocalControlPlane;
using GmsaOperator.Operator.Certificates;
using GmsaOperator.Webhooks;
using GmsaOperator.Webhooks.Certificates;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Webhooks.ClientCertificates;

/// <summary>
/// The webhook port on a real Kestrel with <c>Webhooks:ClientCaFile</c>: callers without a certificate of that CA never
/// get an HTTP answer, over TLS 1.2 and 1.3, with either serving-certificate provider (options-based TLS for the
/// self-signed one, the per-handshake callback for the certificate controller's store).
/// </summary>
[NonParallelizable]
public sealed class ClientCertificateListenerTests
{
    private static readonly SslProtocols[] Protocols = [SslProtocols.Tls12, SslProtocols.Tls13];
    private string _dir = "";
    private ClientPki _pki = null!;
    private ClientPki _other = null!;

    private string CaFile => Path.Combine(_dir, "client-ca.crt");

    [SetUp]
    public void CreatePki()
    {
        _dir = Directory.CreateTempSubdirectory("client-ca").FullName;
        _pki = ClientPki.Create("CN=apiserver-client-ca");
        _other = ClientPki.Create("CN=other-ca");
        File.WriteAllText(CaFile, _pki.CaPem);
    }

    [TearDown]
    public void DeletePki()
    {
        _pki.Dispose();
        _other.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task<(WebApplication App, int Port)> StartAsync(string clientCaFile, Action<IServiceCollection>? services = null)
    {
        var port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(_ => { });
        builder.Services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" }));
        services?.Invoke(builder.Services);
        builder.Services.AddGmsaWebhooks(configure: o =>
        {
            o.Port = port;
            o.ListenAddress = "127.0.0.1";
            o.ClientCaFile = clientCaFile;
        });
        var app = builder.Build();
        app.UseGmsaWebhooks();
        await app.StartAsync();
        return (app, port);
    }

    private async Task AssertOnlyTheCasClientsAreAnsweredAsync(int port)
    {
        using var good = _pki.Issue("CN=kube-apiserver");
        using var foreign = _other.Issue("CN=kube-apiserver");
        using var serverOnly = _pki.Issue("CN=kube-apiserver", extendedKeyUsage: "1.3.6.1.5.5.7.3.1");
        foreach (var protocol in Protocols)
        {
            var answered = await TlsProbe.RequestAsync(port, good, protocol);
            Assert.That(answered.StatusLine, Does.StartWith("HTTP/1.1 "), $"{protocol}: {answered}");
            foreach (var (certificate, what) in new[] { (null, "no certificate"), (foreign, "another CA"), (serverOnly, "a server-only certificate") })
            {
                var refused = await TlsProbe.RequestAsync(port, certificate, protocol);
                Assert.That(refused.Answered, Is.False, $"{protocol}, {what}: {refused}");
                Assert.That(refused.Failure, Is.InstanceOf<AuthenticationException>().Or.InstanceOf<IOException>(), $"{protocol}, {what}");
            }
        }
    }

    [Test]
    public async Task SelfSignedProvider_WithClientCa_AnswersOnlyItsClients()
    {
        var (app, port) = await StartAsync(CaFile);
        await using var _ = app;

        await AssertOnlyTheCasClientsAreAnsweredAsync(port);
    }

    [Test]
    public async Task CertificateStore_WithClientCa_AnswersOnlyItsClients()
    {
        var settings = Settings(o => o.LocalMode = true);
        using var store = new ServingCertificateStore(settings, TimeProvider.System, NullLogger<ServingCertificateStore>.Instance);
        var now = DateTimeOffset.UtcNow;
        var ca = Ca(now, settings);
        Assert.That(store.TryUpdate(ServingSecret(CertificateIssuer.IssueLeaf(ca.Certificate, now, settings), ca.Certificate, settings), ca.Bundle), Is.True);
        var (app, port) = await StartAsync(CaFile, s => s.AddSingleton<IServingCertificateProvider>(store));
        await using var _ = app;

        await AssertOnlyTheCasClientsAreAnsweredAsync(port);
    }

    [Test]
    public async Task WithoutClientCa_AnyTlsClientIsAnswered()
    {
        var (app, port) = await StartAsync("");
        await using var _ = app;

        foreach (var protocol in Protocols)
        {
            var answered = await TlsProbe.RequestAsync(port, null, protocol);
            Assert.That(answered.StatusLine, Does.StartWith("HTTP/1.1 "), $"{protocol}: {answered}");
        }
    }
}
