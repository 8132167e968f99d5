using GmsaOperator.Operator.Cli.Doctor;

namespace GmsaOperator.Tests.Cli;

public sealed class DoctorStalePodChecksTests
{
    private static BindingState Binding(PodTrackingState? pods) => new("webapp", "webapp1", ["default"], "True", "Bound", Pods: pods);

    [Test]
    public void StalePods_FailWithTheStatusMessage_AndTheFix()
    {
        var message = "2 pods run with old contents of GMSACredentialSpec webapp1: web-1 (Deployment web), bare (bare pod).";
        var check = DoctorChecks.StalePods([Binding(new(false, 2, "False", message))]).Single();
        Assert.That((check.Status, check.Detail), Is.EqualTo((CheckStatus.Fail, message)));
        Assert.That(check.Fix, Does.Contain("rollout restart").And.Contain("rolloutOnChange"));
    }

    [Test]
    public void CurrentPods_Pass_NotReportedYet_Warns_AndBindingsThatDoNotTrack_AreSkipped()
    {
        var checks = DoctorChecks.StalePods([Binding(new(true, 0, "True", "Every tracked pod runs with the current contents.")), Binding(new(false, null, null, null)), Binding(null)]);
        Assert.That(checks.Select(c => c.Status), Is.EqualTo(new[] { CheckStatus.Pass, CheckStatus.Warn }));
    }
}
