namespace GmsaOperator.Webhooks;

/// <summary>Settings of the admission webhooks (configuration section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>HTTPS port of the webhook listener, separate from health/metrics (<c>Webhooks:Port</c>).</summary>
    public int Port { get; set; } = 9443;

    /// <summary>Address to listen on (<c>Webhooks:ListenAddress</c>); all interfaces in a cluster, loopback in local mode.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>Give GMSA pods without <c>spec.hostname</c> a random 15-character hostname (<c>Webhooks:RandomHostname</c>, off by default).</summary>
    public bool RandomHostname { get; set; }

    /// <summary>How long an ALLOWED authorisation decision is reused (<c>Webhooks:AuthorizationCacheTtl</c>, default 10 s, 0 disables). Also the revocation delay.</summary>
    public TimeSpan AuthorizationCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most ALLOWED authorisation decisions remembered at once (<c>Webhooks:AuthorizationCacheMaxEntries</c>, default
    /// 10,000); when full the oldest goes. Keys are 32-byte hashes, so the cache stays around 2 MB however long the names.
    /// </summary>
    public int AuthorizationCacheMaxEntries { get; set; } = 10_000;

    /// <summary>
    /// Most distinct authorisation questions with a shared (coalesced) SubjectAccessReview in flight
    /// (<c>Webhooks:AuthorizationMaxSharedReviews</c>, default 10,000); beyond it a request sends its own review.
    /// </summary>
    public int AuthorizationMaxSharedReviews { get; set; } = 10_000;

    /// <summary>Largest accepted AdmissionReview body (<c>Webhooks:MaxRequestBodyBytes</c>, default 3 MiB); larger → 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>
    /// Bytes of request bodies all admission requests may hold at once (<c>Webhooks:MaxInFlightBodyBytes</c>, default
    /// 16 MiB, at least <see cref="MaxRequestBodyBytes"/>). A body's buffer grows only as its bytes arrive and the budget
    /// has room; a request that waited 2 s for room is refused with 503, and a body must arrive within 4 s. Real reviews
    /// are a few KiB, so only a flood of large ones waits.
    /// </summary>
    public long MaxInFlightBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Most connections the webhook port holds open at once (<c>Webhooks:MaxConnections</c>, default 256); further ones
    /// are closed on arrival, before their TLS handshake. The API server keeps a few (HTTP/2); each open connection can
    /// hold up to 32 KiB of unread input at each side of TLS (HTTP/2: 64 KiB windows) besides its TLS state.
    /// </summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>
    /// Local mode (<c>Webhooks:RegisterLocally</c>): register url-based webhook configurations pointing at
    /// <c>https://127.0.0.1:&lt;Port&gt;</c> on start and delete them on exit. Only for an API server on this machine.
    /// </summary>
    public bool RegisterLocally { get; set; }

    /// <summary>
    /// Local mode: name of the url-based Mutating/ValidatingWebhookConfiguration objects this process registers
    /// (<c>Webhooks:ConfigurationName</c>). Not config/default's name, so local mode never replaces or deletes those.
    /// </summary>
    public string ConfigurationName { get; set; } = GmsaOperator.Entities.Deployment.OperatorDeployment.LocalWebhookConfigurationName;

    /// <summary>
    /// Local mode only (<c>Webhooks:LocalSelectorLabel</c>, <c>key=value</c>): when set, the locally registered hooks
    /// match only namespaces (and cluster-scoped credspecs) carrying this label instead of the default selector, so a
    /// test's failurePolicy-Fail hooks never touch other tenants of a shared API server. Empty = default selector.
    /// </summary>
    public string LocalSelectorLabel { get; set; } = "";

    /// <summary>
    /// PEM file of the CA certificate(s) that callers' client certificates must chain to (<c>Webhooks:ClientCaFile</c>).
    /// Set: the webhook port requires a client certificate in the TLS handshake (the API server's, configured with
    /// <c>--admission-control-config-file</c>); empty (default): any TLS client may call.
    /// </summary>
    public string ClientCaFile { get; set; } = "";

    /// <summary>The operator's namespace, always excluded from the pod webhooks (<c>Webhooks:OperatorNamespace</c>).</summary>
    public string OperatorNamespace { get; set; } = GmsaOperator.Entities.Deployment.OperatorDeployment.Namespace;
}
