using GmsaOperator.Webhooks.Json;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Authorization;
using Moq;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>Turning on rolloutOnChange lets the operator restart workloads with its own rights: the author must be allowed to.</summary>
public sealed class RolloutOnChangeAuthorizationTests
{
    private sealed class NoServiceAccountsMissing : IServiceAccountDirectory
    {
        public ValueTask<bool?> ExistsAsync(string @namespace, string name, CancellationToken cancellationToken) => ValueTask.FromResult<bool?>(true);
    }

    private static AdmissionRequest Binding(string operation, bool? rollout, bool? oldRollout = null, bool withOld = false)
    {
        static string Json(bool? r)
        {
            var rollout = r is null ? "" : $",\"rolloutOnChange\":{(r.Value ? "true" : "false")}";
            return "{\"apiVersion\":\"gmsa.dev/v1alpha1\",\"kind\":\"GmsaBinding\",\"metadata\":{\"name\":\"web\",\"namespace\":\"ns1\"},"
                   + "\"spec\":{\"credentialSpecName\":\"webapp1\",\"serviceAccounts\":[\"web-sa\"]" + rollout + "}}";
        }
        var request = Requests.Of("GmsaBinding", operation, Json(rollout), withOld ? Json(oldRollout) : null);
        request.UserInfo = new AdmissionUserInfo { Username = "alice", Groups = ["dev"] };
        return request;
    }

    private static (GmsaBindingValidator Validator, Mock<IWorkloadRestartReviewer> Restarts) Validator(WorkloadRestartDecision restartDecision)
    {
        var reviewer = new FakeReviewer();
        reviewer.Allowed.Add(("alice", "webapp1"));
        var restarts = new Mock<IWorkloadRestartReviewer>();
        restarts.Setup(r => r.CanRestartWorkloadsAsync(It.IsAny<AccessSubject>(), It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(restartDecision);
        return (new GmsaBindingValidator(reviewer, new NoServiceAccountsMissing(), new FakeCredentialSpecs().With("webapp1", Requests.WebApp1), restarts.Object), restarts);
    }

    [Test]
    public async Task Create_WithRollout_AuthorWhoMayNotPatchWorkloads_IsDenied_NamingTheResource()
    {
        var (validator, restarts) = Validator(new WorkloadRestartDecision(false, "statefulsets", "no RBAC policy matched"));
        var result = await validator.ValidateAsync(Binding("CREATE", rollout: true), default);
        Assert.That((result.Allowed, result.Code), Is.EqualTo((false, 403)));
        Assert.That(result.Message, Is.EqualTo("user \"alice\" may not create GmsaBinding \"web\" in namespace \"ns1\": spec.rolloutOnChange lets the operator restart the namespace's Deployments, StatefulSets and DaemonSets, which requires the user to be authorized to patch them (verb patch on statefulsets.apps in namespace \"ns1\"), reason: \"no RBAC policy matched\""));
        restarts.Verify(r => r.CanRestartWorkloadsAsync(It.Is<AccessSubject>(s => s.User == "alice"), "ns1", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task Create_WithRollout_AuthorWhoMayPatchWorkloads_IsAllowed()
    {
        var (validator, _) = Validator(new WorkloadRestartDecision(true, null, ""));
        Assert.That((await validator.ValidateAsync(Binding("CREATE", rollout: true), default)).Allowed, Is.True);
    }

    [TestCase(null)]
    [TestCase(false)]
    public async Task WithoutRollout_NoRestartReview(bool? rollout)
    {
        var (validator, restarts) = Validator(new WorkloadRestartDecision(false, "deployments", ""));
        Assert.That((await validator.ValidateAsync(Binding("CREATE", rollout), default)).Allowed, Is.True);
        restarts.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Update_TurningRolloutOn_IsReviewed_EvenWhenNothingElseChanges()
    {
        var (validator, _) = Validator(new WorkloadRestartDecision(false, "deployments", ""));
        var result = await validator.ValidateAsync(Binding("UPDATE", rollout: true, oldRollout: false, withOld: true), default);
        Assert.That((result.Allowed, result.Message), Is.EqualTo((false, "user \"alice\" may not update GmsaBinding \"web\" in namespace \"ns1\": spec.rolloutOnChange lets the operator restart the namespace's Deployments, StatefulSets and DaemonSets, which requires the user to be authorized to patch them (verb patch on deployments.apps in namespace \"ns1\")")));
    }

    [Test]
    public async Task Update_KeepingRolloutOn_OrTurningItOff_IsNotReviewed()
    {
        var (validator, restarts) = Validator(new WorkloadRestartDecision(false, "deployments", ""));
        Assert.That((await validator.ValidateAsync(Binding("UPDATE", rollout: true, oldRollout: true, withOld: true), default)).Allowed, Is.True);
        Assert.That((await validator.ValidateAsync(Binding("UPDATE", rollout: false, oldRollout: true, withOld: true), default)).Allowed, Is.True);
        restarts.VerifyNoOtherCalls();
    }

    [Test]
    public async Task WithoutARestartReviewer_RolloutIsRefused()
    {
        var reviewer = new FakeReviewer();
        reviewer.Allowed.Add(("alice", "webapp1"));
        var validator = new GmsaBindingValidator(reviewer, new NoServiceAccountsMissing(), new FakeCredentialSpecs());
        var result = await validator.ValidateAsync(Binding("CREATE", rollout: true), default);
        Assert.That((result.Allowed, result.Code), Is.EqualTo((false, 403)));
        Assert.That(result.Message, Does.EndWith("(this webhook cannot check that)"));
    }

    [Test]
    public void Review_IsPatchOnEachAppsWorkloadKind_ForTheAuthor()
    {
        var subject = new AccessSubject("alice", ["dev"], "u-1");
        var bodies = WorkloadRestartReviewer.Resources.Select(r => WorkloadRestartReviewer.BuildReview(subject, "ns1", r)).ToList();
        Assert.That(bodies.Select(b => (b.Spec.ResourceAttributes.Verb, b.Spec.ResourceAttributes.Group, b.Spec.ResourceAttributes.Resource, b.Spec.ResourceAttributes.NamespaceProperty, b.Spec.User)),
            Is.EqualTo(new[] { ("patch", "apps", "deployments", "ns1", "alice"), ("patch", "apps", "statefulsets", "ns1", "alice"), ("patch", "apps", "daemonsets", "ns1", "alice") }));
    }
}
