using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Reconcilers.StalePods;
using GmsaOperator.Runtime;
using k8s.Models;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class StalePodPlannerTests
{
    private const string Old = "sha256:old";
    private const string Current = "sha256:new";
    private static readonly HashSet<string> Accounts = ["web"];
    private static readonly Workload Web = new("apps/v1", "Deployment", "web", "d1");
    private static readonly Workload Db = new("apps/v1", "StatefulSet", "db", "s1");
    private static readonly Workload Job = new("batch/v1", "Job", "migrate", "j1");

    private static TrackedPod Pod(string name, string? hash = Old, string sa = "web", string credSpec = "webapp1", bool gone = false) =>
        new(name, name + "-uid", sa, new HashSet<string> { credSpec }, hash is null ? null : new Dictionary<string, string> { [credSpec] = hash }, null, gone);

    [Test]
    public void FindStale_OnlyPodsOfTheBindingsAccountsAndCredSpec_WithAnotherOrUnknownHash_NotGone()
    {
        var pods = new[]
        {
            Pod("a-old"), Pod("b-current", Current), Pod("c-unknown", hash: null), Pod("d-other-sa", sa: "other"),
            Pod("e-other-spec", credSpec: "other"), Pod("f-terminating", gone: true),
        };
        Assert.That(StalePodPlanner.FindStale("webapp1", Accounts, Current, pods).Select(p => p.Name), Is.EqualTo(new[] { "a-old", "c-unknown" }));
    }

    [Test]
    public void NotTracking_ClearsStatusFields_AndDoesNothing()
    {
        var plan = StalePodPlanner.Plan(new(false, false, "webapp1", Current, [new StalePod("p", Web)], 5));
        Assert.That(plan.Condition, Is.Null);
        Assert.That((plan.StalePods, plan.Restart.Count, plan.StaleWorkloads.Count), Is.EqualTo(((int?)null, 0, 0)));
    }

    [Test]
    public void MissingCredSpec_IsUnknown()
    {
        var plan = StalePodPlanner.Plan(new(true, true, "webapp1", null, [], 5));
        Assert.That((plan.Condition!.Status, plan.Condition.Reason, plan.StalePods), Is.EqualTo(("Unknown", "CredentialSpecUnavailable", (int?)null)));
    }

    [Test]
    public void NoStalePods_IsCurrent()
    {
        var plan = StalePodPlanner.Plan(new(true, false, "webapp1", Current, [], 5));
        Assert.That((plan.StalePods, plan.Condition!.Status, plan.Condition.Reason), Is.EqualTo(((int?)0, "True", "PodsCurrent")));
    }

    [Test]
    public void StalePods_AreCountedAndTheFirstFiveNamed_WithTheirWorkloads_AndTheFix()
    {
        var stale = Enumerable.Range(1, 7).Select(i => new StalePod($"web-{i}", Web)).Append(new StalePod("bare", Workload.BarePod("bare", "b1"))).ToList();
        var plan = StalePodPlanner.Plan(new(true, false, "webapp1", Current, stale, 5));
        Assert.That((plan.StalePods, plan.Condition!.Status, plan.Condition.Reason), Is.EqualTo(((int?)8, "False", "StalePods")));
        Assert.That(plan.Condition.Message, Does.StartWith("8 pods run with old contents of GMSACredentialSpec webapp1: web-1 (Deployment web), web-2 (Deployment web)"));
        Assert.That(plan.Condition.Message, Does.Contain("web-5 (Deployment web) and 3 more.").And.Contain("kubectl rollout restart"));
        Assert.That(plan.StaleWorkloads, Is.EqualTo(new[] { Web, Workload.BarePod("bare", "b1") }));
        Assert.That(plan.Restart, Is.Empty, "no restarts without rolloutOnChange");
    }

    [Test]
    public void Rollout_RestartsOnlyDeploymentsStatefulSetsDaemonSets_WithinTheFreeSlots_ReportsTheRest()
    {
        var stale = new[] { new StalePod("w", Web), new StalePod("d", Db), new StalePod("j", Job), new StalePod("bare", Workload.BarePod("bare", "b1")) };
        var plan = StalePodPlanner.Plan(new(true, true, "webapp1", Current, stale, RestartSlots: 1));
        Assert.That(plan.Restart, Is.EqualTo(new[] { Web }), "one slot: the first restartable workload by kind and name");
        Assert.That(plan.NotRestartable, Is.EquivalentTo(new[] { Job, Workload.BarePod("bare", "b1") }));
        Assert.That(StalePodPlanner.Plan(new(true, true, "webapp1", Current, stale, RestartSlots: 0)).Restart, Is.Empty);
    }

    [Test]
    public void Facts_ReadNamesHashesAndController_AndTreatAForgedAnnotationAsUnknown()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "p", Uid = "u",
                Annotations = new Dictionary<string, string> { [PodTracking.HashesAnnotation] = """{"webapp1":"sha256:x"}""" },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web-5d4f", Uid = "rs1", Controller = true }],
            },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "c", SecurityContext = new V1SecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = "webapp1" } } }],
            },
        };
        var facts = StalePodFacts.Of(pod);
        Assert.That((facts.ServiceAccount, facts.Owner, facts.Gone), Is.EqualTo(("default", new OwnerRef("apps/v1", "ReplicaSet", "web-5d4f", "rs1"), false)));
        Assert.That(facts.CredentialSpecs, Is.EquivalentTo(new[] { "webapp1" }));
        Assert.That(facts.RecordedHashes!["webapp1"], Is.EqualTo("sha256:x"));

        foreach (var forged in new[] { "not json", "[1]", """{"webapp1":1}""", new string('x', 20_000) })
        {
            pod.Metadata.Annotations[PodTracking.HashesAnnotation] = forged;
            Assert.That(StalePodFacts.Of(pod).RecordedHashes, Is.Null, forged[..Math.Min(10, forged.Length)]);
        }
    }

    [Test]
    public void Gate_HoldsASlotPerRestart_UntilItsWorkloadIsNoLongerStale_OrTheTimeout()
    {
        var time = new FakeTimeProvider();
        var gate = new RolloutGate(Options.Create(new RolloutOptions { MaxConcurrentRestarts = 2, RestartTimeout = TimeSpan.FromMinutes(10) }), time);
        var binding = new ObjectKey("ns", "b");
        gate.Started(binding, "d1");
        gate.Started(binding, "s1");
        Assert.That(gate.FreeSlots(), Is.Zero);

        gate.Settle(binding, new HashSet<string> { "s1" });
        Assert.That(gate.FreeSlots(), Is.EqualTo(1), "d1 finished: no longer stale");
        gate.Settle(new ObjectKey("ns", "other"), new HashSet<string>());
        Assert.That(gate.FreeSlots(), Is.EqualTo(1), "another binding does not release this one's restarts");

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.That(gate.FreeSlots(), Is.EqualTo(2), "a rollout that never finishes stops holding its slot");
    }
}
