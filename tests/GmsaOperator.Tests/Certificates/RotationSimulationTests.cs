using System.Text;
using GmsaOperator.Operator.Certificates;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

/// <summary>
/// Time travel: the planner drives a simulated cluster (Secrets with resourceVersions, webhook caBundles) and a real
/// serving store on a fake clock, asserting the invariants at every tick.
/// </summary>
public class RotationSimulationTests
{
    [Test]
    public void TwoYears_DefaultLifetimes_SixHourTicks()
    {
        var result = Simulate(Settings(), TimeSpan.FromDays(720), TimeSpan.FromHours(6), disruptEvery: 0);
        Assert.Multiple(() =>
        {
            // CA 365 d renewed at 2/3 of its life: rotations at ≈ 243 d and ≈ 487 d.
            Assert.That(result.CaRotations, Is.EqualTo(2));
            // Leaf 30 d renewed at ≈ 20 d: ≈ 36 renewals over 720 d, plus one re-issue per CA rotation.
            Assert.That(result.LeafWrites, Is.InRange(34, 42));
            Assert.That(result.DistinctServed, Is.EqualTo(result.LeafWrites), "every written leaf was served");
        });
    }

    [Test]
    public void TwoHours_ShortLifetimes_FiveSecondTicks_WithDeletionsAndTampering()
    {
        var s = Settings(o =>
        {
            o.CaLifetime = TimeSpan.FromMinutes(9);
            o.LeafLifetime = TimeSpan.FromMinutes(3);
            o.BackDate = TimeSpan.FromSeconds(5);
            o.TrustGrace = TimeSpan.FromSeconds(60);
        });
        var result = Simulate(s, TimeSpan.FromHours(2), TimeSpan.FromSeconds(5), disruptEvery: 97);
        Assert.Multiple(() =>
        {
            Assert.That(result.CaRotations, Is.InRange(18, 21));
            Assert.That(result.LeafWrites, Is.GreaterThan(result.CaRotations * 2));
            Assert.That(result.Restores, Is.GreaterThan(0));
        });
    }

    private sealed record Result(int CaRotations, int LeafWrites, int DistinctServed, int Restores);

    private static Result Simulate(CertificateSettings s, TimeSpan duration, TimeSpan tick, int disruptEvery)
    {
        var time = new FakeTimeProvider(Start);
        var planner = new RotationPlanner(s);
        using var store = new ServingCertificateStore(s, time, NullLogger<ServingCertificateStore>.Instance);
        var cluster = new SimulatedCluster(s);
        var lastGood = LastGoodMaterial.None;
        var trustedEverywhereSince = new Dictionary<string, DateTimeOffset>();
        var served = new HashSet<string>();
        string? previous = null;
        int caRotations = 0, leafWrites = 0, restores = 0, ticks = 0;

        for (var end = Start + duration; time.GetUtcNow() <= end; time.Advance(tick), ticks++)
        {
            var now = time.GetUtcNow();
            if (disruptEvery > 0 && ticks > 0 && ticks % disruptEvery == 0) cluster.Serving = null;
            if (disruptEvery > 0 && ticks > 0 && ticks % (disruptEvery + 34) == 0) cluster.Bundles["validate.gmsa.dev"] = Encoding.ASCII.GetBytes("garbage");

            RotationPlan plan;
            var rounds = 0;
            while (true)
            {
                plan = planner.Plan(new RotationInputs(cluster.Ca, cluster.Serving, cluster.Hooks, lastGood, now));
                if (plan.Actions.Count == 0) break;
                Assert.That(++rounds, Is.LessThan(5), $"no convergence at {now:O}");
                foreach (var a in plan.Actions)
                {
                    if (a is RotateCa) caRotations++;
                    if (a is RestoreLeaf) restores++;
                    else if (a is IssueLeaf) leafWrites++;
                }
                cluster.Execute(plan, now);
            }

            // The manager's bookkeeping: remember what was valid, serve from the Secret.
            var caState = CertificateSecrets.ParseCa(cluster.Ca, s, now);
            if (caState.Condition == SecretCondition.Usable) lastGood = lastGood with { Ca = caState.Material };
            var leafState = CertificateSecrets.ParseServing(cluster.Serving, s, now);
            if (leafState.Leaf is { } l && plan.PublishedBundle.FindIssuer(l, now) is { } issuer) lastGood = lastGood with { Leaf = new LeafMaterial(l, issuer) };
            store.TryUpdate(cluster.Serving, plan.PublishedBundle);
            var observed = cluster.Bundles.Values.Select(ObservedBundle.Parse).ToList();
            store.ObserveBundles(observed);

            foreach (var ca in observed[0].Certificates.Where(c => observed.All(o => o.Trusts(c))))
            {
                trustedEverywhereSince.TryAdd(ca.Sha256(), now);
            }

            var current = store.Current;
            Assert.That(current, Is.Not.Null, $"nothing served at {now:O}");
            Assert.That(current!.NotAfter, Is.GreaterThan(now), $"expired leaf served at {now:O}");
            Assert.That(current.Certificate.NotBeforeUtc(), Is.LessThanOrEqualTo(now));
            Assert.That(plan.PublishedBundle.Certificates, Has.Count.InRange(1, 2), $"bundle size at {now:O}");
            Assert.That(observed.All(o => o.Certificates.Count <= 2), Is.True);
            Assert.That(observed.All(o => o.Trusts(current.Issuer)), Is.True, $"served leaf's CA missing from a caBundle at {now:O}");
            if (current.Fingerprint != previous)
            {
                if (previous is not null)
                {
                    var since = trustedEverywhereSince[current.IssuerFingerprint];
                    Assert.That(now - since, Is.GreaterThanOrEqualTo(s.TrustGrace), $"leaf served {now - since} after its CA was trusted everywhere");
                }
                served.Add(current.Fingerprint);
                previous = current.Fingerprint;
            }
            Assert.That(store.IsReady(out var reason) || current.NotAfter - now <= s.ReadinessMinimumValidity, Is.True, reason);
        }
        return new Result(caRotations, leafWrites, served.Count, restores);
    }

    /// <summary>Secrets with resourceVersion preconditions and three webhook entries, updated only through actions.</summary>
    private sealed class SimulatedCluster(CertificateSettings s)
    {
        private int _rv;

        public V1Secret? Ca { get; private set; }

        public V1Secret? Serving { get; set; }

        public Dictionary<string, byte[]?> Bundles { get; } = new() { ["admission.gmsa.dev"] = null, ["validate.gmsa.dev"] = null, ["binding.gmsa.dev"] = null };

        public IReadOnlyList<ObservedWebhookConfiguration> Hooks =>
        [
            new(WebhookConfigurationKind.Mutating, "gmsa-operator", [new("admission.gmsa.dev", Bundles["admission.gmsa.dev"])]),
            new(WebhookConfigurationKind.Validating, "gmsa-operator", [new("validate.gmsa.dev", Bundles["validate.gmsa.dev"]), new("binding.gmsa.dev", Bundles["binding.gmsa.dev"])]),
        ];

        /// <summary>Carries out every action, creating keys as the executor does (through <see cref="PlanMaterializer"/>).</summary>
        public void Execute(RotationPlan plan, DateTimeOffset now)
        {
            var materializer = new PlanMaterializer(plan, s);
            foreach (var action in plan.Actions)
            {
                switch (action)
                {
                    case CaSecretAction ca:
                        Assert.That(ca.ResourceVersion, Is.EqualTo(Ca?.Metadata.ResourceVersion), "stale CA write");
                        var material = materializer.Ca(ca, now);
                        Ca = CertificateSecrets.BuildCa(material, (++_rv).ToString(System.Globalization.CultureInfo.InvariantCulture), s);
                        materializer.CaWritten(material);
                        break;
                    case IssueLeaf or RestoreLeaf:
                        var rv = action is IssueLeaf issue ? issue.ResourceVersion : ((RestoreLeaf)action).ResourceVersion;
                        Assert.That(rv, Is.EqualTo(Serving?.Metadata.ResourceVersion), "stale serving write");
                        Serving = CertificateSecrets.BuildServing(materializer.Leaf(action, now), (++_rv).ToString(System.Globalization.CultureInfo.InvariantCulture), s);
                        break;
                    case InjectCaBundle inject:
                        foreach (var name in inject.WebhookNames) Bundles[name] = materializer.Published.ToPemBytes();
                        break;
                }
            }
        }
    }
}
