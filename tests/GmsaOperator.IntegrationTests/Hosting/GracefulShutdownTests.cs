using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.IntegrationTests.Config;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.LocalControlPlane;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Hosting;

/// <summary>
/// A stopping replica fails /readyz at once but keeps answering on the webhook port until its pod has left the webhook
/// Service's Endpoints; only then does the host stop (the rolling-update path of config/default's two replicas).
/// </summary>
public sealed class GracefulShutdownTests : IntegrationTest
{
    private const string Pod = "gmsa-operator-controller-manager-test";

    [Test]
    public async Task Stop_DropsReadiness_KeepsServingUntilThePodLeftTheEndpoints_ThenStops()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var endpoints = await Client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = OperatorDeployment.WebhookServiceName },
            Subsets = [new V1EndpointSubset
            {
                Addresses = [Address("other-replica", "10.0.0.2"), Address(Pod, "10.0.0.1")],
                Ports = [new Corev1EndpointPort { Name = "https", Port = 9443, Protocol = "TCP" }],
            }],
        }, Namespace, cancellationToken: cts.Token);

        await using var op = OperatorInTest.Build(new(Namespace)
        {
            ConfigurationName = "",
            Shutdown = s =>
            {
                s.PodName = Pod;
                s.SettleDelay = TimeSpan.FromMilliseconds(500);
                s.DrainTimeout = TimeSpan.FromSeconds(20);
            },
        });
        await op.StartAsync(cts.Token);
        var (healthPort, webhookPort) = (op.HealthPort, op.WebhookPort);

        using var http = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(async ct => await ReadyzAsync(http, healthPort, ct) == HttpStatusCode.OK ? "ready" : null, TimeSpan.FromSeconds(60), "/readyz 200");

        var sw = Stopwatch.StartNew();
        var stop = op.StopAsync(CancellationToken.None);
        await Eventually.HoldsAsync(async ct => await ReadyzAsync(http, healthPort, ct) == HttpStatusCode.ServiceUnavailable ? "not ready" : null, TimeSpan.FromSeconds(5), "/readyz 503");
        await Task.Delay(TimeSpan.FromSeconds(2), cts.Token);
        Assert.That(stop.IsCompleted, Is.False, "still draining while the pod is in the Endpoints");
        using (var response = await http.PostAsync($"https://127.0.0.1:{webhookPort}/validate", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), cts.Token))
        {
            Assert.That((int)response.StatusCode, Is.LessThan(500).And.Not.EqualTo(0), "the webhook port still answers");
        }

        // What the endpoints controller does once the pod is not ready (or terminating): ready addresses without it.
        endpoints.Subsets[0].Addresses = [Address("other-replica", "10.0.0.2")];
        endpoints.Subsets[0].NotReadyAddresses = [Address(Pod, "10.0.0.1")];
        await Client.CoreV1.ReplaceNamespacedEndpointsAsync(endpoints, endpoints.Metadata.Name, Namespace, cancellationToken: cts.Token);
        var removedAt = sw.Elapsed;

        var finished = await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(10), cts.Token));
        Assert.That(finished, Is.SameAs(stop), "the host stops once the pod left the Endpoints");
        await stop;
        TestContext.Progress.WriteLine($"removed from Endpoints at {removedAt.TotalSeconds:0.0} s, stopped at {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.That(sw.Elapsed - removedAt, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(450)), "the settle delay was served");
        Assert.ThrowsAsync(Is.InstanceOf<HttpRequestException>(), () => http.GetAsync($"https://127.0.0.1:{webhookPort}/", cts.Token), "Kestrel stopped");
    }

    [Test]
    public async Task AfterTheServerStopped_ThePodStaysUpWhileACallerHoldsAClosedConnection_AtMostTheLinger()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var op = await StartNotInEndpointsAsync(TimeSpan.FromSeconds(3), cts.Token);
        // A caller that never notices the server's close: the socket stays half-closed (FIN_WAIT_2 on the server side).
        await using var deaf = await ConnectTlsAsync(op.WebhookPort, cts.Token);

        var sw = Stopwatch.StartNew();
        await op.StopAsync(cts.Token);
        TestContext.Progress.WriteLine($"stopped after {sw.Elapsed.TotalSeconds:0.0} s with a caller holding its connection");
        Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2.9)), "stayed up while the caller held the connection");
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "but not past the linger");
    }

    [Test]
    public async Task AfterTheServerStopped_ThePodExitsAsSoonAsCallersClosedTheirConnections()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var op = await StartNotInEndpointsAsync(TimeSpan.FromSeconds(20), cts.Token);
        var caller = await ConnectTlsAsync(op.WebhookPort, cts.Token);
        // What an HTTP client does with a pooled connection: read, and close it when the server has closed its end.
        var closer = Task.Run(async () =>
        {
            try
            {
                while (await caller.ReadAsync(new byte[256], cts.Token) > 0) { }
            }
            catch (IOException)
            {
            }
            await caller.DisposeAsync();
        }, cts.Token);

        var sw = Stopwatch.StartNew();
        await op.StopAsync(cts.Token);
        await closer;
        TestContext.Progress.WriteLine($"stopped after {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "did not wait out the 20 s linger once the caller closed");
    }

    /// <summary>An operator whose pod is already out of the Endpoints, so stopping goes straight to the server stop and the linger.</summary>
    private async Task<OperatorInTest> StartNotInEndpointsAsync(TimeSpan linger, CancellationToken ct)
    {
        await Client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = OperatorDeployment.WebhookServiceName },
            Subsets = [new V1EndpointSubset
            {
                Addresses = [Address("other-replica", "10.0.0.2")],
                Ports = [new Corev1EndpointPort { Name = "https", Port = 9443, Protocol = "TCP" }],
            }],
        }, Namespace, cancellationToken: ct);
        var op = OperatorInTest.Build(new(Namespace)
        {
            ConfigurationName = "",
            Shutdown = s =>
            {
                s.PodName = Pod;
                s.SettleDelay = TimeSpan.Zero;
                s.LingerTimeout = linger;
            },
        });
        await op.StartAsync(ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(async c => await ReadyzAsync(http, op.HealthPort, c) == HttpStatusCode.OK ? "ready" : null, TimeSpan.FromSeconds(60), "/readyz 200");
        return op;
    }

    private static async Task<SslStream> ConnectTlsAsync(int port, CancellationToken ct)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, ct);
        var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, ct);
        return ssl;
    }

    private static V1EndpointAddress Address(string pod, string ip) => new() { Ip = ip, TargetRef = new V1ObjectReference { Kind = "Pod", Name = pod } };

    private static async Task<HttpStatusCode> ReadyzAsync(HttpClient http, int port, CancellationToken ct)
    {
        using var response = await http.GetAsync($"http://127.0.0.1:{port}/readyz", ct);
        return response.StatusCode;
    }
}
