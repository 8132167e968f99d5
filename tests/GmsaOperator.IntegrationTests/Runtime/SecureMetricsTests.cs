using System.Net;
using System.Net.Http.Headers;
using k8s;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>
/// /metrics as in a pod: HTTPS on its own port, for bearer tokens the API server authenticates (TokenReview) whose
/// owner may <c>get /metrics</c> (SubjectAccessReview) — config/rbac's metrics-reader ClusterRole — and nowhere else.
/// </summary>
public sealed class SecureMetricsTests : IntegrationTest
{
    [Test]
    public async Task OnlyABoundServiceAccountsTokenReadsMetrics()
    {
        await using var op = await OperatorInTest.StartAsync(new(Namespace) { SecureMetrics = true });
        var generated = KubernetesYaml.Deserialize<V1ClusterRole>(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Config("rbac"), "metrics_reader_role.yaml")));
        var readerRole = $"{Namespace}-metrics-reader";
        foreach (var name in new[] { "scraper", "stranger" })
        {
            await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, Namespace);
        }
        await Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = readerRole }, Rules = generated.Rules });
        await Client.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = readerRole },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = readerRole },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "scraper", NamespaceProperty = Namespace }],
        });
        try
        {
            using var https = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null })
            {
                BaseAddress = new Uri($"https://localhost:{op.MetricsPort}"),
                Timeout = TimeSpan.FromSeconds(10),
            };
            var scraperToken = await TokenAsync("scraper");
            var strangerToken = await TokenAsync("stranger");

            Assert.That((await GetAsync(https, null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "no token");
            Assert.That((await GetAsync(https, "not-a-token")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a token the API server does not know");
            using (var forbidden = await GetAsync(https, strangerToken))
            {
                Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a ServiceAccount without metrics-reader");
                Assert.That(await forbidden.Content.ReadAsStringAsync(), Does.Contain($"system:serviceaccount:{Namespace}:stranger"));
            }

            // RBAC bindings reach the authorizer through its informer: allow a moment.
            var metrics = await Eventually.HoldsAsync(async ct =>
            {
                using var response = await GetAsync(https, scraperToken, ct);
                return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(ct) : null;
            }, TimeSpan.FromSeconds(30), "the metrics-reader's token to be served /metrics");
            Assert.That(metrics, Does.Contain("# TYPE workqueue_depth gauge"));
            Assert.That(metrics, Does.Contain("rest_client_requests_total{"));

            // Every path is authorised before routing (default RBAC lets everyone get /healthz: that one is a 404 here).
            using (var other = await GetAsync(https, strangerToken, path: "/debug/pprof"))
            {
                Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            }
            using (var publicPath = await GetAsync(https, strangerToken, path: "/healthz"))
            {
                Assert.That(publicPath.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            }
            // No /metrics on the plain health port.
            using var health = new HttpClient { BaseAddress = new Uri($"http://localhost:{op.HealthPort}") };
            Assert.That((await health.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await health.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            Assert.That(async () => await plain.GetAsync($"http://localhost:{op.MetricsPort}/metrics"),
                Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<TaskCanceledException>(), "the metrics port speaks TLS only");
        }
        finally
        {
            await ClusterObjects.IgnoreNotFoundAsync(() => Client.RbacAuthorizationV1.DeleteClusterRoleBindingAsync(readerRole));
            await ClusterObjects.IgnoreNotFoundAsync(() => Client.RbacAuthorizationV1.DeleteClusterRoleAsync(readerRole));
        }
    }

    private async Task<string> TokenAsync(string serviceAccount)
    {
        var request = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 600 } }, serviceAccount, Namespace);
        return request.Status.Token;
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient http, string? token, CancellationToken cancellationToken = default, string path = "/metrics")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request, cancellationToken);
    }
}
