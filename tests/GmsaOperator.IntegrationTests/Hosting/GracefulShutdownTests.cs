using System.Diagnostics;
using System.Net;
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

    private static V1EndpointAddress Address(string pod, string ip) => new() { Ip = ip, TargetRef = new V1ObjectReference { Kind = "Pod", Name = pod } };

    private static async Task<HttpStatusCode> ReadyzAsync(HttpClient http, int port, CancellationToken ct)
    {
        using var response = await http.GetAsync($"http://127.0.0.1:{port}/readyz", ct);
        return response.StatusCode;
    }
}
