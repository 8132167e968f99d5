namespace GmsaOperator.Operator.Hosting.Shutdown;

/// <summary>
/// Graceful shutdown (configuration section <c>Shutdown</c>): how long a stopping replica keeps serving webhooks while the
/// Service stops sending it requests. config/default gives the pod 30 s (terminationGracePeriodSeconds); the drain wait
/// plus Kestrel's and the controllers' stop and the linger fit in <see cref="Timeout"/>, which stays below it.
/// </summary>
public sealed record ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>Longest wait for this pod to leave the webhook Service's Endpoints, settle delay included (<c>Shutdown:DrainTimeout</c>).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Extra serving time once the pod left the Endpoints (<c>Shutdown:SettleDelay</c>): kube-proxy and the API server's
    /// endpoint cache learn of the removal a moment after the Endpoints object changes.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// After the server stopped, how long the pod stays up while callers still hold connections to the webhook port
    /// (<c>Shutdown:LingerTimeout</c>). The server closed them; a caller that has not processed that yet would otherwise
    /// write its next review into a connection whose network namespace is gone and wait out its whole webhook timeout.
    /// While the pod lingers, its kernel still retransmits the close and answers such a write with a reset. The host's
    /// <see cref="Timeout"/> cuts it short.
    /// </summary>
    public TimeSpan LingerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Outside a pod (no pod name) there are no Endpoints to leave: just this wait (<c>Shutdown:OutsidePodDelay</c>).</summary>
    public TimeSpan OutsidePodDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The whole stop, drain included (<c>Shutdown:Timeout</c>; the host's ShutdownTimeout): below the pod's 30 s grace period.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>This pod's name ($POD_NAME in config/default); null outside a pod.</summary>
    public string? PodName { get; set; }

    /// <summary>Namespace of this pod and of the webhook Service (the operator namespace).</summary>
    public string PodNamespace { get; set; } = Entities.Deployment.OperatorDeployment.Namespace;

    /// <summary>The webhook Service whose Endpoints list this pod while it receives admission requests.</summary>
    public string ServiceName { get; set; } = Entities.Deployment.OperatorDeployment.WebhookServiceName;
}
