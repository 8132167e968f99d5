using GmsaOperator.Entities.Deployment;

namespace GmsaOperator.Operator.Hosting;

/// <summary>Settings of the /metrics endpoint (configuration section <c>Metrics</c>).</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>
    /// Serve /metrics over HTTPS on <see cref="Port"/> to callers the API server authenticates (TokenReview) and
    /// authorises (SubjectAccessReview, <c>get</c> on <c>/metrics</c>) (<c>Metrics:Secure</c>). Default: on in a
    /// pod; outside one (local mode) off, and /metrics is plain HTTP on the loopback health port.
    /// </summary>
    public bool Secure { get; set; }

    /// <summary>HTTPS port of the secure /metrics (<c>Metrics:Port</c>, default 8443); unused when not <see cref="Secure"/>.</summary>
    public int Port { get; set; } = OperatorDeployment.MetricsPort;

    /// <summary>How long an authenticated token and an allowed access are remembered (<c>Metrics:AuthCacheTtl</c>, default 10 s, 0 disables).</summary>
    public TimeSpan AuthCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most tokens, and most allowed accesses, remembered at once (<c>Metrics:AuthCacheSize</c>, default 1000).</summary>
    public int AuthCacheSize { get; set; } = 1000;
}
