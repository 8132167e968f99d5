namespace GmsaOperator.Operator.Certificates;

/// <summary>Settings of the webhook certificate controller (configuration section <c>Certificates</c>).</summary>
public sealed class CertificateSettings
{
    public const string SectionName = "Certificates";

    /// <summary>Namespace holding the two Secrets (the operator's namespace).</summary>
    public string Namespace { get; set; } = GmsaOperator.Entities.Deployment.OperatorDeployment.Namespace;

    /// <summary>Resource-name prefix: Secrets <c>&lt;prefix&gt;-webhook-ca</c>/<c>-webhook-tls</c>, managed-by label value, annotation prefix.</summary>
    public string ResourcePrefix { get; set; } = "gmsa-operator";

    /// <summary>Name of the webhook Service the API server calls (leaf SANs).</summary>
    public string ServiceName { get; set; } = GmsaOperator.Entities.Deployment.OperatorDeployment.WebhookServiceName;

    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>Local mode (operator outside the cluster, url clientConfig): the leaf also carries 127.0.0.1 and localhost.</summary>
    public bool LocalMode { get; set; }

    /// <summary>Managed MutatingWebhookConfiguration (caBundle injection); empty = none.</summary>
    public string MutatingWebhookConfigurationName { get; set; } = GmsaOperator.Entities.Deployment.OperatorDeployment.WebhookConfigurationName;

    /// <summary>Managed ValidatingWebhookConfiguration (caBundle injection); empty = none.</summary>
    public string ValidatingWebhookConfigurationName { get; set; } = GmsaOperator.Entities.Deployment.OperatorDeployment.WebhookConfigurationName;

    public TimeSpan CaLifetime { get; set; } = TimeSpan.FromDays(365);

    public TimeSpan LeafLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>NotBefore back-dating for verifiers whose clock is behind ours.</summary>
    public TimeSpan BackDate { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Minimum time between a CA entering the published bundle and the first leaf signed by it.</summary>
    public TimeSpan TrustGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A certificate expiring within this window is urgent: any replica acts at once.</summary>
    public TimeSpan UrgentWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Readiness needs the served leaf to stay valid at least this long.</summary>
    public TimeSpan ReadinessMinimumValidity { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The certificate controller looks again at least this often (from its caches, no API calls), and this often
    /// while waiting for a caBundle injection to show: short requeues survive suspend, unlike one long timer.
    /// </summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A non-leader performs a non-urgent action once it has been pending this long (stuck leader).</summary>
    public TimeSpan NonLeaderOverdue { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Upper bound of the random delay before a non-leader acts.</summary>
    public TimeSpan NonLeaderMaxJitter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A swapped-out serving certificate is disposed this long after the swap (in-flight handshakes).</summary>
    public TimeSpan RetiredCertificateGrace { get; set; } = TimeSpan.FromMinutes(5);

    public string CaSecretName => $"{ResourcePrefix}-webhook-ca";

    public string ServingSecretName => $"{ResourcePrefix}-webhook-tls";

    /// <summary>Value of <c>app.kubernetes.io/managed-by</c> on Secrets we own.</summary>
    public string ManagedBy => ResourcePrefix;

    public string CaGenerationAnnotation => $"{ResourcePrefix}/ca-generation";

    public string BundlePublishedAtAnnotation => $"{ResourcePrefix}/bundle-published-at";

    public string IssuerSha256Annotation => $"{ResourcePrefix}/issuer-sha256";

    /// <summary>Server-side-apply field manager owning only <c>clientConfig.caBundle</c>.</summary>
    public string CaBundleFieldManager => $"{ResourcePrefix}-cabundle";

    /// <summary>Common-name prefix of our CAs; only such CAs are carried over from observed bundles.</summary>
    public string CaCommonNamePrefix => $"{ResourcePrefix}-webhook-ca";

    /// <summary>DNS SANs the leaf must carry (the API server verifies <c>&lt;svc&gt;.&lt;ns&gt;.svc</c>).</summary>
    public IReadOnlyList<string> LeafDnsNames
    {
        get
        {
            var names = new List<string>
            {
                ServiceName,
                $"{ServiceName}.{Namespace}",
                $"{ServiceName}.{Namespace}.svc",
                $"{ServiceName}.{Namespace}.svc.{ClusterDomain}",
            };
            if (LocalMode) names.Add("localhost");
            return names;
        }
    }

    /// <summary>IP SANs: loopback in local mode only. A method, not a property, so configuration binding (source-generated under NativeAOT) leaves it alone.</summary>
    public IReadOnlyList<System.Net.IPAddress> LeafIpAddresses() => LocalMode ? [System.Net.IPAddress.Loopback] : [];

    /// <summary>Rejects settings that would make rotation impossible or unsafe.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException($"Invalid certificate settings: {message}");
        }

        Require(!string.IsNullOrWhiteSpace(Namespace), "Certificates:Namespace is required");
        Require(!string.IsNullOrWhiteSpace(ResourcePrefix), "Certificates:ResourcePrefix is required");
        Require(!string.IsNullOrWhiteSpace(ServiceName), "Certificates:ServiceName is required");
        Require(!string.IsNullOrWhiteSpace(ClusterDomain), "Certificates:ClusterDomain is required");
        Require(LeafLifetime > TimeSpan.Zero, "Certificates:LeafLifetime must be positive");
        Require(CaLifetime >= LeafLifetime * 2, "Certificates:CaLifetime must be at least twice LeafLifetime");
        Require(BackDate >= TimeSpan.Zero, "Certificates:BackDate must not be negative");
        Require(TrustGrace >= TimeSpan.Zero, "Certificates:TrustGrace must not be negative");
        Require(CheckInterval > TimeSpan.Zero, "Certificates:CheckInterval must be positive");
    }
}
