using System.Text.Json.Nodes;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Certificates;
using GmsaOperator.Operator.Reconcilers;

namespace GmsaOperator.Operator.Monitoring;

/// <summary>
/// The alerting rules shipped in <c>config/prometheus</c>: the one source of both the PrometheusRule there and the
/// plain rules file that promtool and the integration test's Prometheus load. Names in the expressions come from the
/// code (lease, controllers, change reasons, our metric names) wherever the code has them as constants.
/// </summary>
public static class AlertRules
{
    public const string GroupName = "gmsa-operator";

    private const string NotAfter = "webhook_cert_not_after_seconds";
    private const string CaBundleCorrections = "webhook_cabundle_corrections_total";
    private const string CertRotations = "webhook_cert_rotations_total";
    private const string ReconcileErrors = "controller_runtime_reconcile_errors_total";
    private const string LeaderStatus = "leader_election_master_status";
    private const string Bindings = GmsaBindingReadinessMetrics.MetricName;
    private const string Admissions = PrometheusAdmissionMetrics.MetricName;

    /// <summary>Controller-runtime metric names are shared with other operators: select ours by controller name.</summary>
    private static readonly string Controllers = string.Join("|", CredentialSpecReconciler.ControllerName, GmsaBindingReconciler.ControllerName, CertificateReconciler.ControllerName);

    private const string Leader = $"{LeaderStatus}{{name=\"{OperatorDeployment.LeaderLeaseName}\"}}";
    private const string Denied = $"{Admissions}{{result=\"denied\"}}";

    public static IReadOnlyList<AlertRule> All { get; } =
    [
        new("GmsaWebhookCertificateExpiringSoon",
            $"{NotAfter} - time() < 7 * 86400",
            TimeSpan.FromMinutes(10), "warning",
            "A webhook certificate expires in less than 7 days.",
            "The {{ $labels.kind }} certificate reported by {{ $labels.instance }} expires in {{ $value | humanizeDuration }}. " +
            "The operator renews certificates when a third of their life is left (10 days of the default 30 for the serving certificate), " +
            "so rotation is failing: run `gmsa-operator doctor` and read the operator's logs. kind=served: this replica still serves an old certificate.",
            [NotAfter]),
        new("GmsaWebhookCertificateExpiresWithinADay",
            $"{NotAfter} - time() < 86400",
            TimeSpan.FromMinutes(5), "critical",
            "A webhook certificate expires within a day.",
            "The {{ $labels.kind }} certificate reported by {{ $labels.instance }} expires in {{ $value | humanizeDuration }}. " +
            "Once it has expired the API server cannot call the webhooks and, with failurePolicy Fail, refuses pods that use GMSA.",
            [NotAfter]),
        new("GmsaWebhookCaBundleFight",
            $"sum by (object) (increase({CaBundleCorrections}{{tampered=\"true\"}}[30m])) > 3",
            TimeSpan.FromMinutes(5), "warning",
            "Another writer keeps changing the webhooks' caBundle.",
            "The operator repaired the caBundle of {{ $labels.object }} {{ $value | humanize }} times in 30 minutes: another manager " +
            "(cert-manager's cainjector, a GitOps tool applying an old manifest, …) overwrites it. The Warning events CaBundleRepaired and " +
            "CaBundleConflict on the webhook configuration name the field manager; stop it from managing clientConfig.caBundle.",
            [CaBundleCorrections]),
        new("GmsaWebhookCertificateSecretFight",
            $"sum by (kind) (increase({CertRotations}{{reason=~\"{nameof(CaChange.Restored)}|{nameof(CaChange.Replaced)}\"}}[1h])) > 3",
            TimeSpan.FromMinutes(5), "warning",
            "The webhook certificate Secrets keep being deleted or broken.",
            "The operator restored or replaced the {{ $labels.kind }} Secret {{ $value | humanize }} times in an hour: something deletes or " +
            "rewrites it. Find the writer in the API server's audit log or the Secret's managedFields.",
            [CertRotations]),
        new("GmsaReconcileErrorsSustained",
            $"sum by (controller) (increase({ReconcileErrors}{{controller=~\"{Controllers}\"}}[10m])) > 0",
            TimeSpan.FromMinutes(15), "warning",
            "A GMSA controller has been failing for 15 minutes.",
            "Controller {{ $labels.controller }} reported reconcile errors in every 10-minute window for 15 minutes (retries back off to " +
            "at most 5 minutes, so a stuck object keeps this firing). The operator's logs and the objects' Warning events say why.",
            [ReconcileErrors]),
        new("GmsaBindingsNotReady",
            $"max(sum without (ready) ({Bindings}{{ready!=\"true\"}})) > 0",
            TimeSpan.FromMinutes(10), "warning",
            "GmsaBindings have not been Ready for 10 minutes.",
            "{{ $value }} GmsaBinding(s) are not Ready: their service accounts may not use the credential spec. " +
            "`kubectl get gmsabindings -A` shows which; the Ready condition's reason says why (e.g. CredentialSpecNotFound).",
            [Bindings]),
        new("GmsaOperatorNoLeader",
            $"max({Leader}) < 1 or absent({Leader})",
            TimeSpan.FromMinutes(5), "warning",
            "No gmsa-operator replica has been leader for 5 minutes.",
            $"No replica holds Lease {OperatorDeployment.LeaderLeaseName}: GmsaBindings and credential specs are not reconciled and " +
            "certificates are not rotated (admission still works). Check that the operator runs and may update its Lease.",
            [LeaderStatus]),
        new("GmsaAdmissionDenialsSpiking",
            $"sum by (webhook) (rate({Denied}[5m])) > 0.1 and sum by (webhook) (rate({Denied}[5m])) > 3 * sum by (webhook) (rate({Denied}[1h]))",
            TimeSpan.FromMinutes(5), "warning",
            "Admission denials are spiking.",
            "Webhook {{ $labels.webhook }} denies {{ printf \"%.2f\" $value }} requests a second, more than three times its rate over the last hour. " +
            "A workload may have lost its GmsaBinding, a credential spec may be gone, or something is sending forged reviews; the operator " +
            "logs each denial (namespace, name, code).",
            [Admissions]),
    ];

    /// <summary>
    /// A Prometheus rules document (<c>groups:</c>) holding <paramref name="rules"/>: the body of a rules file and the
    /// spec of a PrometheusRule.
    /// </summary>
    public static JsonObject Groups(IEnumerable<AlertRule> rules) => new()
    {
        ["groups"] = new JsonArray(new JsonObject
        {
            ["name"] = GroupName,
            ["rules"] = new JsonArray([.. rules.Select(Rule)]),
        }),
    };

    private static JsonNode Rule(AlertRule rule)
    {
        var node = new JsonObject { ["alert"] = rule.Name, ["expr"] = rule.Expression };
        if (rule.For > TimeSpan.Zero) node["for"] = PrometheusDuration.Format(rule.For);
        node["labels"] = new JsonObject { ["severity"] = rule.Severity };
        node["annotations"] = new JsonObject { ["summary"] = rule.Summary, ["description"] = rule.Description };
        return node;
    }
}
