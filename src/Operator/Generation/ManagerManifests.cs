using GmsaOperator.Entities.Deployment;
using k8s.Models;

namespace GmsaOperator.Operator.Generation;

/// <summary><c>config/manager</c>: the operator's Namespace, its Deployment and a PodDisruptionBudget.</summary>
public static class ManagerManifests
{
    /// <summary>Image placeholder replaced by the <c>images</c> entry of config/default.</summary>
    public const string ImagePlaceholder = "controller";

    /// <summary>Name of the container port of the authenticated HTTPS /metrics.</summary>
    public const string MetricsPortName = "metrics";

    /// <summary>Labels selecting the operator's pods (selectors are immutable, so they never come from kustomize).</summary>
    public static Dictionary<string, string> PodLabels() => new()
    {
        ["app.kubernetes.io/name"] = OperatorDeployment.AppName,
        ["control-plane"] = OperatorDeployment.ManagerBaseName,
    };

    /// <summary>A Service in the operator namespace sending <paramref name="port"/> to the operator's pods.</summary>
    public static V1Service Service(string baseName, V1ServicePort port) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = baseName, NamespaceProperty = OperatorDeployment.Namespace },
        Spec = new V1ServiceSpec { Selector = PodLabels(), Ports = [port] },
    };

    public static IEnumerable<GeneratedFile> Files()
    {
        var files = new List<GeneratedFile>
        {
            GeneratedFile.Yaml("manager/namespace.yaml", Namespace()),
            GeneratedFile.Yaml("manager/manager.yaml", Deployment()),
            GeneratedFile.Yaml("manager/pod_disruption_budget.yaml", new V1PodDisruptionBudget
            {
                ApiVersion = "policy/v1",
                Kind = "PodDisruptionBudget",
                Metadata = new V1ObjectMeta { Name = OperatorDeployment.ManagerBaseName, NamespaceProperty = OperatorDeployment.Namespace },
                Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = PodLabels() } },
            }),
        };
        return [.. files, Kustomization.File("manager", files.Select(f => f.Path["manager/".Length..]))];
    }

    private static V1Namespace Namespace() => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = OperatorDeployment.Namespace,
            Labels = new Dictionary<string, string>
            {
                ["control-plane"] = OperatorDeployment.ManagerBaseName,
                // Our own pods never go through our pod webhooks (also where kubernetes.io/metadata.name is missing, < 1.21).
                [OperatorDeployment.DisabledNamespaceLabel] = "true",
                ["pod-security.kubernetes.io/enforce"] = "restricted",
            },
        },
    };

    private static V1Deployment Deployment() => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta
        {
            Name = OperatorDeployment.ManagerBaseName,
            NamespaceProperty = OperatorDeployment.Namespace,
            Labels = PodLabels(),
        },
        Spec = new V1DeploymentSpec
        {
            Replicas = 2,
            RevisionHistoryLimit = 5,
            Selector = new V1LabelSelector { MatchLabels = PodLabels() },
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
            },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta
                {
                    Labels = PodLabels(),
                    Annotations = new Dictionary<string, string> { ["kubectl.kubernetes.io/default-container"] = "manager" },
                },
                Spec = PodSpec(),
            },
        },
    };

    private static V1PodSpec PodSpec() => new()
    {
        ServiceAccountName = OperatorDeployment.ManagerBaseName,
        TerminationGracePeriodSeconds = 30,
        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
        SecurityContext = new V1PodSecurityContext
        {
            RunAsNonRoot = true,
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        },
        Affinity = new V1Affinity
        {
            // Preferred, not required: a single-node cluster still runs both replicas.
            PodAntiAffinity = new V1PodAntiAffinity
            {
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new V1WeightedPodAffinityTerm
                    {
                        Weight = 100,
                        PodAffinityTerm = new V1PodAffinityTerm
                        {
                            TopologyKey = "kubernetes.io/hostname",
                            LabelSelector = new V1LabelSelector { MatchLabels = PodLabels() },
                        },
                    },
                ],
            },
        },
        Containers = [Container()],
        // Read-only root file system: .NET and ASP.NET Core still want a writable /tmp.
        Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
    };

    private static V1Container Container() => new()
    {
        Name = "manager",
        Image = ImagePlaceholder,
        // /metrics: HTTPS on OperatorDeployment.MetricsPort, the default of Metrics:Port (Metrics:Secure is on in a pod).
        Args = ["run", $"--health-port={OperatorDeployment.HealthPort}"],
        Env =
        [
            FieldEnv("POD_NAME", "metadata.name"),
            FieldEnv("POD_NAMESPACE", "metadata.namespace"),
        ],
        Ports =
        [
            new V1ContainerPort { Name = "webhook-server", ContainerPort = OperatorDeployment.WebhookPort, Protocol = "TCP" },
            new V1ContainerPort { Name = "health", ContainerPort = OperatorDeployment.HealthPort, Protocol = "TCP" },
            new V1ContainerPort { Name = MetricsPortName, ContainerPort = OperatorDeployment.MetricsPort, Protocol = "TCP" },
        ],
        LivenessProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = "health" },
            InitialDelaySeconds = 15,
            PeriodSeconds = 20,
            TimeoutSeconds = 5,
            FailureThreshold = 3,
        },
        ReadinessProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = "health" },
            InitialDelaySeconds = 5,
            PeriodSeconds = 10,
            TimeoutSeconds = 5,
            FailureThreshold = 3,
        },
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("64Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("256Mi") },
        },
        SecurityContext = new V1SecurityContext
        {
            AllowPrivilegeEscalation = false,
            Capabilities = new V1Capabilities { Drop = ["ALL"] },
            ReadOnlyRootFilesystem = true,
            RunAsNonRoot = true,
        },
        VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
    };

    private static V1EnvVar FieldEnv(string name, string fieldPath) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = fieldPath } } };
}
