using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace GmsaOperator.Entities.Serialization;

/// <summary>
/// Source-generated metadata for the Kubernetes models this product reads and writes (and, through them, every model
/// they contain). It stands in for KubernetesClient's own context, which covers all ~830 models: under NativeAOT each
/// covered model costs converter and type structures whether or not it is ever used, and the operator carried ~11 MB
/// of them in every process. A model missing here fails loudly (<see cref="NotSupportedException"/> naming the type),
/// in the JIT build as in NativeAOT, because <see cref="EntityJson.Register"/> leaves no other resolver behind.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true)]
// core/v1
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1PodList))]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1NamespaceList))]
[JsonSerializable(typeof(V1ServiceAccount))]
[JsonSerializable(typeof(V1ServiceAccountList))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1SecretList))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1Endpoints))]
[JsonSerializable(typeof(V1EndpointsList))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(Authenticationv1TokenRequest))]
// meta/v1
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(V1DeleteOptions))]
[JsonSerializable(typeof(V1Patch))]
[JsonSerializable(typeof(VersionInfo))]
// rbac.authorization.k8s.io/v1
[JsonSerializable(typeof(V1Role))]
[JsonSerializable(typeof(V1RoleList))]
[JsonSerializable(typeof(V1RoleBinding))]
[JsonSerializable(typeof(V1RoleBindingList))]
[JsonSerializable(typeof(V1ClusterRole))]
[JsonSerializable(typeof(V1ClusterRoleList))]
[JsonSerializable(typeof(V1ClusterRoleBinding))]
[JsonSerializable(typeof(V1ClusterRoleBindingList))]
// admissionregistration.k8s.io/v1
[JsonSerializable(typeof(V1MutatingWebhookConfiguration))]
[JsonSerializable(typeof(V1MutatingWebhookConfigurationList))]
[JsonSerializable(typeof(V1ValidatingWebhookConfiguration))]
[JsonSerializable(typeof(V1ValidatingWebhookConfigurationList))]
// authorization.k8s.io/v1, authentication.k8s.io/v1
[JsonSerializable(typeof(V1SubjectAccessReview))]
[JsonSerializable(typeof(V1LocalSubjectAccessReview))]
[JsonSerializable(typeof(V1SelfSubjectAccessReview))]
[JsonSerializable(typeof(V1TokenReview))]
// coordination.k8s.io/v1, events.k8s.io/v1
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(V1LeaseList))]
[JsonSerializable(typeof(Eventsv1Event))]
[JsonSerializable(typeof(Eventsv1EventList))]
// apps/v1, policy/v1 (the deployment the config generator writes; the workloads the stale-pod restarter patches)
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1DeploymentList))]
[JsonSerializable(typeof(V1ReplicaSet))]
[JsonSerializable(typeof(V1ReplicaSetList))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1DaemonSet))]
[JsonSerializable(typeof(V1PodDisruptionBudget))]
// apiextensions.k8s.io/v1
[JsonSerializable(typeof(V1CustomResourceDefinition))]
[JsonSerializable(typeof(V1CustomResourceDefinitionList))]
public sealed partial class KubernetesModelJsonContext : JsonSerializerContext;
