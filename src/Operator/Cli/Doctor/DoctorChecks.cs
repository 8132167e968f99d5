using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;

namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>
/// The doctor's decisions: turns <see cref="DoctorInputs"/> into the ✓/✗/! checklist with a fix for every ✗.
/// Pure (no I/O, the clock comes in the inputs), so each decision is unit-tested.
/// </summary>
public static partial class DoctorChecks
{
    public const string CredentialSpecCrd = GmsaCredentialSpec.Plural + "." + GmsaCredentialSpec.ApiGroup;
    public const string GmsaBindingCrd = GmsaBinding.Plural + "." + GmsaBinding.ApiGroup;

    /// <summary>Certificates expiring sooner than this are flagged with '!'.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(7);

    public static IReadOnlyList<CheckResult> Run(DoctorInputs inputs)
    {
        var checks = new List<CheckResult>();
        checks.AddRange(Crds(inputs.Crds));
        checks.Add(Operator(inputs.Lease, inputs.Now));
        checks.AddRange(Webhooks(inputs.WebhookConfigurations, inputs.ServedCertificates, inputs.Now));
        checks.AddRange(Target(inputs));
        checks.AddRange(SecureChannelRepair(inputs));
        checks.AddRange(StalePods(inputs.Bindings));
        return checks;
    }

    public static IEnumerable<CheckResult> Crds(IReadOnlyList<CrdState> crds)
    {
        var expected = new (string Name, string[] Versions)[]
        {
            (CredentialSpecCrd, [GmsaCredentialSpec.StorageVersion, "v1alpha1"]),
            (GmsaBindingCrd, [GmsaBinding.Version]),
        };
        foreach (var (name, versions) in expected)
        {
            var title = $"CRD {name} installed";
            var found = crds.FirstOrDefault(c => c.Name == name);
            if (found?.ServedVersions is not { } served)
            {
                yield return CheckResult.Fail(title, "the CustomResourceDefinition does not exist",
                    "install the CRDs: kubectl apply -k config/crd (included in kubectl apply -k config/default)");
                continue;
            }
            var missing = versions.Except(served, StringComparer.Ordinal).ToList();
            yield return missing.Count == 0
                ? CheckResult.Pass(title, $"serves {string.Join(", ", versions)}")
                : CheckResult.Fail(title, $"does not serve {string.Join(", ", missing)} (serves {string.Join(", ", served)})",
                    "re-apply this project's CRD, which serves all versions: kubectl apply -k config/crd");
        }
    }

    public static CheckResult Operator(LeaseState lease, DateTimeOffset now)
    {
        const string title = "operator running (leader elected)";
        var where = $"Lease {lease.Namespace}/{lease.Name}";
        var fix = $"start the operator: kubectl -n {lease.Namespace} get deploy,pods and kubectl -n {lease.Namespace} logs deploy/{Entities.Deployment.OperatorDeployment.ManagerDeploymentName} (locally: make run); use --operator-namespace if it runs elsewhere";
        if (!lease.Exists) return CheckResult.Fail(title, $"{where} does not exist: the operator has never run there", fix);
        if (string.IsNullOrEmpty(lease.Holder)) return CheckResult.Fail(title, $"{where} has no holder: no operator replica is leading", fix);
        if (lease.RenewTime is { } renewed && lease.LeaseDurationSeconds is { } seconds && renewed.AddSeconds(seconds) < now)
        {
            return CheckResult.Fail(title, $"{where} held by {lease.Holder} expired {Ago(now - renewed.AddSeconds(seconds))} ago: the leader stopped renewing", fix);
        }
        return CheckResult.Pass(title, $"leader {lease.Holder} ({where})");
    }

    private static string Ago(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} days" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} min" : $"{Math.Max(0, span.TotalSeconds):0} s";
}
