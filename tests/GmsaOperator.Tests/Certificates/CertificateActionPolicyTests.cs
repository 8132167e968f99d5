using GmsaOperator.Operator.Certificates;
using Microsoft.Extensions.Time.Testing;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

public class CertificateActionPolicyTests
{
    private static readonly CertificateSettings S = Settings(o =>
    {
        o.NonLeaderOverdue = TimeSpan.FromMinutes(30);
        o.NonLeaderMaxJitter = TimeSpan.FromSeconds(10);
    });

    private static readonly InjectCaBundle Urgent = new(WebhookConfigurationKind.Mutating, "m", ["a"], "caBundle lacks the served CA", Urgent: true);
    private static readonly InjectCaBundle NotUrgent = new(WebhookConfigurationKind.Validating, "v", ["b"], "caBundle has an extra CA", Urgent: false);

    private static RotationPlan PlanOf(params CertificateAction[] actions) => new(actions, Start + TimeSpan.FromDays(1), null, TrustBundle.Empty, []);

    private FakeTimeProvider _time = null!;
    private PolicyState _state = PolicyState.Idle;
    private int _jitterDraws;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _state = PolicyState.Idle;
        _jitterDraws = 0;
    }

    private ActionDecision Decide(RotationPlan plan, bool leader, TimeSpan jitter = default)
    {
        var decision = CertificateActionPolicy.Decide(plan, leader, _time.GetUtcNow(), _state, S, () =>
        {
            _jitterDraws++;
            return jitter;
        });
        _state = decision.State;
        return decision;
    }

    [Test]
    public void Leader_ActsOnEveryActionAtOnce()
    {
        var decision = Decide(PlanOf(Urgent, NotUrgent), leader: true, TimeSpan.FromSeconds(5));
        Assert.That(decision.Actions, Is.EqualTo(new CertificateAction[] { Urgent, NotUrgent }));
        Assert.That(decision.NonLeaderReason, Is.Null);
        Assert.That(_jitterDraws, Is.Zero);
    }

    [Test]
    public void NonLeader_NothingUrgent_WaitsUntilOverdueThenActsOnEverything()
    {
        var first = Decide(PlanOf(NotUrgent), leader: false, TimeSpan.FromSeconds(4));
        Assert.That(first.Actions, Is.Empty);
        Assert.That(first.RecheckAt, Is.EqualTo(Start + S.NonLeaderOverdue), "look again when the leader counts as stuck");
        Assert.That(_jitterDraws, Is.Zero, "no jitter while there is nothing to do");

        _time.Advance(S.NonLeaderOverdue - TimeSpan.FromSeconds(1));
        Assert.That(Decide(PlanOf(NotUrgent), leader: false, TimeSpan.FromSeconds(4)).Actions, Is.Empty, "pending since the first look, not since this one");

        _time.Advance(TimeSpan.FromSeconds(1));
        var overdue = Decide(PlanOf(NotUrgent), leader: false, TimeSpan.FromSeconds(4));
        Assert.That(overdue.Actions, Is.Empty, "the jitter first");
        Assert.That(overdue.RecheckAt, Is.EqualTo(_time.GetUtcNow() + CertificateActionPolicy.LeadershipPoll));
        _time.Advance(TimeSpan.FromSeconds(4));
        var acting = Decide(PlanOf(Urgent, NotUrgent), leader: false, TimeSpan.FromSeconds(4));
        Assert.That(acting.Actions, Is.EqualTo(new CertificateAction[] { Urgent, NotUrgent }));
        Assert.That(acting.NonLeaderReason, Is.EqualTo("overdue"));
    }

    [Test]
    public void NonLeader_Urgent_ActsAfterTheJitterDrawnOnce_OnAFreshPlan_OnlyOnTheUrgentActions()
    {
        var jitter = TimeSpan.FromSeconds(3);
        var waiting = Decide(PlanOf(Urgent, NotUrgent), leader: false, jitter);
        Assert.That(waiting.Actions, Is.Empty);
        Assert.That(waiting.RecheckAt, Is.EqualTo(Start + CertificateActionPolicy.LeadershipPoll), "polls for leadership while waiting");

        // Still waiting half-way: the jitter is not drawn again.
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.That(Decide(PlanOf(Urgent, NotUrgent), leader: false, jitter).Actions, Is.Empty);
        _time.Advance(TimeSpan.FromSeconds(1.5) - TimeSpan.FromMilliseconds(50));
        Assert.That(Decide(PlanOf(Urgent, NotUrgent), leader: false, jitter).RecheckAt, Is.EqualTo(Start + jitter), "the last poll ends with the jitter");

        _time.Advance(TimeSpan.FromMilliseconds(50));
        var acting = Decide(PlanOf(Urgent, NotUrgent), leader: false, jitter);
        Assert.Multiple(() =>
        {
            Assert.That(acting.Actions, Is.EqualTo(new CertificateAction[] { Urgent }));
            Assert.That(acting.NonLeaderReason, Is.EqualTo("urgent"));
            Assert.That(_jitterDraws, Is.EqualTo(1));
        });
        // The next step of the same urgent work (a fresh plan) follows without another wait.
        Assert.That(Decide(PlanOf(Urgent), leader: false, jitter).Actions, Is.EqualTo(new CertificateAction[] { Urgent }));
        Assert.That(_jitterDraws, Is.EqualTo(1));
    }

    [Test]
    public void NonLeader_TheLeaderActedDuringTheJitter_NothingToDo_AndTheNextEpisodeDrawsAgain()
    {
        Decide(PlanOf(Urgent), leader: false, TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));
        var settled = Decide(PlanOf(), leader: false);
        Assert.That(settled.Actions, Is.Empty);
        Assert.That(settled.State, Is.EqualTo(PolicyState.Idle));

        Decide(PlanOf(Urgent), leader: false, TimeSpan.FromSeconds(5));
        Assert.That(_jitterDraws, Is.EqualTo(2));
    }

    [Test]
    public void BecomingLeaderDuringTheJitter_EndsTheWait()
    {
        Assert.That(Decide(PlanOf(Urgent, NotUrgent), leader: false, TimeSpan.FromSeconds(10)).Actions, Is.Empty);
        _time.Advance(CertificateActionPolicy.LeadershipPoll);

        var leading = Decide(PlanOf(Urgent, NotUrgent), leader: true);
        Assert.That(leading.Actions, Is.EqualTo(new CertificateAction[] { Urgent, NotUrgent }));
    }
}
