using System.Text;
using System.Text.Json;
using GmsaOperator.Bench;

namespace GmsaOperator.Tests.Bench;

/// <summary>The mix's requests are the review the API server would send, spliced with a distinct pod name and uid.</summary>
public sealed class AdmissionMixTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void EachRequest_IsTheTriplesReview_WithItsOwnPodNameAndUid(bool validate)
    {
        var mix = AdmissionMix.Create();
        var requests = mix.Requests(validate, "{\"CmsPlugins\":[\"ActiveDirectory\"]}");
        var seen = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var request = requests.Next(i % 3);
            using var review = JsonDocument.Parse(request.Body);
            var uid = review.RootElement.GetProperty("request").GetProperty("uid").GetString()!;
            var pod = review.RootElement.GetProperty("request").GetProperty("object").GetProperty("metadata").GetProperty("name").GetString()!;
            Assert.That(Guid.TryParseExact(uid, "D", out _), Is.True, uid);
            Assert.That(pod, Does.Match("^web-[0-9a-f]{8}$"));
            Assert.That(seen.Add(uid) && seen.Add(pod), Is.True, "a uid or pod name repeated");

            var ns = review.RootElement.GetProperty("request").GetProperty("namespace").GetString()!;
            var spec = review.RootElement.GetProperty("request").GetProperty("object").GetProperty("spec");
            var triple = mix.Ranked.Single(t => t.Namespace == ns && t.ServiceAccount == spec.GetProperty("serviceAccountName").GetString()
                && t.CredSpec == spec.GetProperty("securityContext").GetProperty("windowsOptions").GetProperty("gmsaCredentialSpecName").GetString());
            Assert.That(request.Expect, Is.EqualTo(validate && !triple.Allowed ? Expect.Forbidden : Expect.Allowed));
            var expected = AdmissionBodies.Pod(triple.Namespace, triple.ServiceAccount, triple.CredSpec, validate ? "{\"CmsPlugins\":[\"ActiveDirectory\"]}" : null, pod, uid);
            Assert.That(Encoding.UTF8.GetString(request.Body), Is.EqualTo(Encoding.UTF8.GetString(expected)));
        }
    }
}
