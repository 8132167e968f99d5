using GmsaOperator.Bench;

namespace GmsaOperator.Tests.Bench;

/// <summary>What kube-apiserver served in a phase, from two snapshots of its own /metrics text.</summary>
public sealed class ApiServerRequestsTests
{
    private static string Metrics(int bindingPosts, int statusPatches, int watches, int webhookCalls, double webhookSeconds) => $$"""
        # HELP apiserver_request_total [STABLE] Counter of apiserver requests
        # TYPE apiserver_request_total counter
        apiserver_request_total{code="201",component="apiserver",contentType="application/json",dry_run="",group="gmsa.dev",resource="gmsabindings",scope="namespace",subresource="",verb="POST",version="v1alpha1"} {{bindingPosts}}
        apiserver_request_total{code="200",component="apiserver",contentType="application/json",dry_run="",group="gmsa.dev",resource="gmsabindings",scope="namespace",subresource="status",verb="PATCH",version="v1alpha1"} {{statusPatches}}
        apiserver_request_total{code="409",component="apiserver",contentType="application/json",dry_run="",group="gmsa.dev",resource="gmsabindings",scope="namespace",subresource="status",verb="PATCH",version="v1alpha1"} 1
        apiserver_request_total{code="0",component="apiserver",contentType="application/json",dry_run="",group="gmsa.dev",resource="gmsabindings",scope="cluster",subresource="",verb="WATCH",version="v1alpha1"} {{watches}}
        apiserver_request_total{code="201",component="apiserver",contentType="application/json",dry_run="",group="",resource="namespaces",scope="resource",subresource="",verb="POST",version="v1"} 7
        # HELP apiserver_admission_webhook_admission_duration_seconds [STABLE] Admission webhook latency
        # TYPE apiserver_admission_webhook_admission_duration_seconds histogram
        apiserver_admission_webhook_admission_duration_seconds_sum{name="validate-gmsabinding.gmsa.dev",operation="CREATE",rejected="false",type="validating"} {{webhookSeconds}}
        apiserver_admission_webhook_admission_duration_seconds_count{name="validate-gmsabinding.gmsa.dev",operation="CREATE",rejected="false",type="validating"} {{webhookCalls}}
        """;

    [Test]
    public void PerObjectSince_CountsWhatThePhaseServed_ByVerbAndResource_WithoutWatches()
    {
        var before = ApiServerRequests.Parse(Metrics(bindingPosts: 100, statusPatches: 50, watches: 3, webhookCalls: 100, webhookSeconds: 1.0));
        var after = ApiServerRequests.Parse(Metrics(bindingPosts: 300, statusPatches: 250, watches: 9, webhookCalls: 300, webhookSeconds: 5.0));

        var delta = after.PerObjectSince(before, n: 200);

        Assert.That(delta.Requests, Is.EquivalentTo(new Dictionary<string, double>
        {
            ["POST gmsabindings.gmsa.dev"] = 1.0,
            ["PATCH gmsabindings.gmsa.dev/status"] = 1.0,
        }), "unchanged series (the 409s, namespaces) and watches are left out");
        Assert.That(delta.Total, Is.EqualTo(2.0));
        Assert.That(delta.WebhookCalls, Is.EqualTo(1.0));
        Assert.That(delta.WebhookMeanMs, Is.EqualTo(20.0).Within(1e-9), "4 s over 200 calls");
    }
}
