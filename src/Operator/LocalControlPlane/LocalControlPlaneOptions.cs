namespace GmsaOperator.LocalControlPlane;

/// <summary>How to start a local control plane.</summary>
public sealed record LocalControlPlaneOptions
{
    /// <summary>Working directory for PKI, data, logs and kubeconfig; a fresh temp dir when null.</summary>
    public string? Directory { get; init; }

    /// <summary>Detached processes outlive this process (for <c>make cluster-up</c>); otherwise a watchdog kills
    /// them when this process dies, and <see cref="LocalControlPlane.DisposeAsync"/> removes the directory.</summary>
    public bool Detached { get; init; }

    public bool StartControllerManager { get; init; } = true;

    /// <summary>Also start a real node (containerd, kubelet, kube-scheduler, kube-proxy, a bridge CNI); needs root.</summary>
    public bool WithNode { get; init; }

    /// <summary>
    /// kube-apiserver presents a client certificate to every admission webhook (<c>--admission-control-config-file</c>);
    /// its CA is <see cref="LocalControlPlane.WebhookClientCredentials"/>' <c>CaCert</c>, for <c>Webhooks:ClientCaFile</c>.
    /// </summary>
    public bool WebhookClientCertificates { get; init; }

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(90);

    public TextWriter Progress { get; init; } = Console.Error;
}
