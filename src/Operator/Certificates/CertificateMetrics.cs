using Prometheus;

namespace GmsaOperator.Operator.Certificates;

/// <summary>Prometheus metrics of webhook TLS.</summary>
public sealed class CertificateMetrics
{
    public CertificateMetrics(CollectorRegistry registry)
    {
        var f = Metrics.WithCustomRegistry(registry);
        NotAfter = f.CreateGauge("webhook_cert_not_after_seconds", "Unix time at which the certificate expires.",
            new GaugeConfiguration { LabelNames = ["kind"] });
        Rotations = f.CreateCounter("webhook_cert_rotations_total", "Certificate Secret writes by this process.",
            new CounterConfiguration { LabelNames = ["kind", "reason"] });
        CaBundleCorrections = f.CreateCounter("webhook_cabundle_corrections_total", "caBundle injections into a webhook configuration.",
            new CounterConfiguration { LabelNames = ["object", "tampered"] });
        WriteConflicts = f.CreateCounter("webhook_cert_write_conflicts_total", "Secret writes that lost a race (409) and were re-decided.");
        ServingInfo = f.CreateGauge("webhook_serving_cert_info", "The certificate this replica serves (value 1).",
            new GaugeConfiguration { LabelNames = ["fingerprint", "issuer"] });
    }

    /// <summary>kind = ca | leaf | served.</summary>
    public Gauge NotAfter { get; }

    /// <summary>kind = ca | leaf; reason = the CaChange/LeafChange.</summary>
    public Counter Rotations { get; }

    public Counter CaBundleCorrections { get; }

    public Counter WriteConflicts { get; }

    public Gauge ServingInfo { get; }

    /// <summary>A registry of its own, for tests and for running without the operator runtime's registry.</summary>
    public static CertificateMetrics CreateStandalone() => new(Metrics.NewCustomRegistry());
}
