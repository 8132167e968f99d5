using System.Net;

namespace GmsaOperator.LocalControlPlane;

/// <summary>The address ranges of a local cluster, defined once for the API server, the PKI and the node.</summary>
public static class ClusterNetwork
{
    /// <summary>ClusterIPs; the first address is the <c>kubernetes</c> Service.</summary>
    public const string ServiceCidr = "10.0.0.0/24";

    public static readonly IPAddress KubernetesServiceIp = IPAddress.Parse("10.0.0.1");

    /// <summary>Pod addresses on the node's bridge (private, and unlikely to clash with a host network).</summary>
    public const string PodCidr = "10.200.0.0/24";

    /// <summary>The bridge's own address: pods' default gateway and the address the API server advertises to them.</summary>
    public static readonly IPAddress BridgeGateway = IPAddress.Parse("10.200.0.1");

    public const string BridgeName = "gmsa0";

    /// <summary>The CNI network's name: libcni keys its cached results (/var/lib/cni/results) by it.</summary>
    public const string CniNetworkName = "gmsa-local";
}
