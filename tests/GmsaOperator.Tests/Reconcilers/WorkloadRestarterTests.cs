using System.Net;
using System.Text;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Reconcilers.StalePods;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class WorkloadRestarterTests
{
    private static readonly Workload Web = new("apps/v1", "Deployment", "web", "d1");

    [Test]
    public async Task Restart_PatchesOnlyTheTwoTemplateAnnotations_GuardedByTheResourceVersionRead()
    {
        var api = new Api(Deployment(restartedFor: "sha256:old"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var outcome = await new WorkloadRestarter(api.Client, time).RestartAsync("ns", Web, "sha256:new", default);

        Assert.That(outcome, Is.EqualTo(RestartOutcome.Restarted));
        var patch = api.Patches.Single();
        Assert.That(patch.ContentType, Is.EqualTo("application/merge-patch+json"));
        Assert.That(patch.Body, Is.EqualTo("""{"metadata":{"resourceVersion":"42"},"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-05-01T12:00:00Z","gmsa.dev/restarted-for-hash":"sha256:new"}}}}}"""));
    }

    [Test]
    public async Task ATemplateAlreadyRestartedForThisHash_IsNeverRestartedAgain()
    {
        var api = new Api(Deployment(restartedFor: "sha256:new"));
        var outcome = await new WorkloadRestarter(api.Client, new FakeTimeProvider()).RestartAsync("ns", Web, "sha256:new", default);
        Assert.That((outcome, api.Patches.Count), Is.EqualTo((RestartOutcome.AlreadyRestarted, 0)));
    }

    [Test]
    public async Task AReplacedWorkload_IsNotTouched()
    {
        var api = new Api(Deployment(restartedFor: null, uid: "someone-elses"));
        var outcome = await new WorkloadRestarter(api.Client, new FakeTimeProvider()).RestartAsync("ns", Web, "sha256:new", default);
        Assert.That((outcome, api.Patches.Count), Is.EqualTo((RestartOutcome.Gone, 0)));
    }

    private static V1Deployment Deployment(string? restartedFor, string uid = "d1") => new()
    {
        ApiVersion = "apps/v1", Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = uid, ResourceVersion = "42" },
        Spec = new V1DeploymentSpec
        {
            Selector = new V1LabelSelector(),
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Annotations = restartedFor is null ? null : new Dictionary<string, string> { [PodTracking.RestartedForHashAnnotation] = restartedFor } },
                Spec = new V1PodSpec { Containers = [] },
            },
        },
    };

    /// <summary>Answers GETs with the deployment and records PATCH bodies.</summary>
    private sealed class Api(V1Deployment deployment) : DelegatingHandler
    {
        public List<(string ContentType, string Body)> Patches { get; } = [];

        public IKubernetes Client => new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, this);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Patch)
            {
                Patches.Add((request.Content!.Headers.ContentType!.MediaType!, await request.Content.ReadAsStringAsync(cancellationToken)));
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StringContent(KubernetesJson.Serialize(deployment), Encoding.UTF8, "application/json") };
        }
    }
}
