namespace GmsaOperator.Entities.Deployment;

/// <summary>
/// What the mutating webhook writes on pods of service accounts whose GmsaBinding asks for tracking, and what the
/// operator selects and reads. Advisory only: a pod owner can edit or remove them, which changes reporting and
/// rollouts of their own pods, never what a pod may use (the GMSA contents themselves are immutable).
/// </summary>
public static class PodTracking
{
    /// <summary>Label on tracked pods (value <see cref="TrackedValue"/>); the operator's pod informer selects on it.</summary>
    public const string TrackedLabel = "gmsa.dev/tracked";
    public const string TrackedValue = "true";

    /// <summary>The pod informer's label selector.</summary>
    public const string Selector = TrackedLabel + "=" + TrackedValue;

    /// <summary>
    /// Annotation: JSON object credspec name → <see cref="ContentsHashPrefix"/> + lowercase hex SHA-256 of the canonical
    /// contents the pod was admitted with. A map in an annotation, because a label value cannot hold several names.
    /// </summary>
    public const string HashesAnnotation = "gmsa.dev/credspec-hashes";

    /// <summary>Pod-template annotation of a workload the operator restarted: the contents hash it restarted for.</summary>
    public const string RestartedForHashAnnotation = "gmsa.dev/restarted-for-hash";

    /// <summary>The pod-template annotation <c>kubectl rollout restart</c> sets.</summary>
    public const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    public const string ContentsHashPrefix = "sha256:";
}
