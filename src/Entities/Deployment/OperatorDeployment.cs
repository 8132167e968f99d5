namespace GmsaOperator.Entities.Deployment;

/// <summary>
/// Names and ports of the deployed operator, shared by the generated config and the code that refers to these objects
/// at run time. Names are final (namePrefix applied): kustomize does not rewrite resourceNames or label values.
/// </summary>
public static class OperatorDeployment
{
    public const string Namespace = "gmsa-system";

    /// <summary>The kustomize namePrefix of config/default; every generated object's final name starts with it.</summary>
    public const string NamePrefix = "gmsa-operator-";

    public const string AppName = "gmsa-operator";

    /// <summary>The label, and its value, on every object the operator creates and owns.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = AppName;

    /// <summary>Base names (before the prefix) as written in config/; final names are <see cref="NamePrefix"/> + base.</summary>
    public const string ManagerBaseName = "controller-manager";
    public const string WebhookServiceBaseName = "webhook-service";
    public const string WebhookConfigurationBaseName = "webhook";
    public const string MetricsServiceBaseName = "controller-manager-metrics-service";
    public const string MetricsReaderRoleBaseName = "metrics-reader";

    public const string ManagerDeploymentName = NamePrefix + ManagerBaseName;
    public const string WebhookConfigurationName = NamePrefix + WebhookConfigurationBaseName;
    public const string WebhookServiceName = NamePrefix + WebhookServiceBaseName;
    public const string MetricsServiceName = NamePrefix + MetricsServiceBaseName;

    /// <summary>The ClusterRole (<c>get</c> on the non-resource URL <c>/metrics</c>) to bind to whoever scrapes the operator.</summary>
    public const string MetricsReaderRoleName = NamePrefix + MetricsReaderRoleBaseName;

    /// <summary>
    /// The url-based configurations an operator outside the cluster registers for itself (local mode). A name of its
    /// own, so local mode never replaces or deletes the service-based configurations config/default installs.
    /// </summary>
    public const string LocalWebhookConfigurationName = NamePrefix + "local-webhook";

    /// <summary>The leader-election Lease in the operator namespace.</summary>
    public const string LeaderLeaseName = NamePrefix + "leader";

    /// <summary>Secrets the certificate controller creates at run time (not part of config/).</summary>
    public const string CaSecretName = NamePrefix + "webhook-ca";
    public const string ServingSecretName = NamePrefix + "webhook-tls";

    /// <summary>Container ports: HTTPS admission webhooks; plain-HTTP /healthz and /readyz; HTTPS, authenticated /metrics.</summary>
    public const int WebhookPort = 9443;
    public const int HealthPort = 8081;
    public const int MetricsPort = 8443;

    /// <summary>Namespaces labelled with this (value "true") are skipped by the pod webhooks, as upstream.</summary>
    public const string DisabledNamespaceLabel = "windows.k8s.io/disabled";
}
