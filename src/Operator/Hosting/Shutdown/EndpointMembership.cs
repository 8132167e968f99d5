using k8s.Models;

namespace GmsaOperator.Operator.Hosting.Shutdown;

/// <summary>Whether the Service still sends a pod traffic, read from the Service's Endpoints.</summary>
public static class EndpointMembership
{
    /// <summary>
    /// True while <paramref name="podName"/> is among the ready addresses: kube-proxy and the API server's service
    /// resolver send requests only there. Listed under notReadyAddresses, absent, or no Endpoints at all: no traffic.
    /// </summary>
    public static bool IsServing(V1Endpoints? endpoints, string podName, string podNamespace) =>
        endpoints?.Subsets?.Any(subset => subset.Addresses?.Any(address => IsPod(address.TargetRef, podName, podNamespace)) == true) == true;

    private static bool IsPod(V1ObjectReference? target, string podName, string podNamespace) =>
        target is not null
        && (target.Kind is null || target.Kind == "Pod")
        && target.Name == podName
        && (string.IsNullOrEmpty(target.NamespaceProperty) || target.NamespaceProperty == podNamespace);
}
