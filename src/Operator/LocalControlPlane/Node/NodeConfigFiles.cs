namespace GmsaOperator.LocalControlPlane.Node;

/// <summary>The configuration files of a local node: containerd, the bridge CNI, kubelet and kube-proxy.</summary>
public static class NodeConfigFiles
{
    public const string NodeName = "localhost";

    public sealed record Ports(int KubeletPort, int KubeletHealthz, int ProxyHealthz, int ProxyMetrics);

    public static void Write(NodeLayout layout, string kubeconfig, string pauseImage, Ports ports)
    {
        foreach (var dir in new[] { layout.ContainerdRoot, layout.ContainerdState, layout.RegistryHosts, layout.CniConfDir, layout.CniIpamDir,
                     layout.KubeletRoot, layout.KubeletCerts, layout.KubeletVolumePlugins })
        {
            Directory.CreateDirectory(dir);
        }
        File.WriteAllText(layout.ContainerdConfig, Containerd(layout, pauseImage));
        File.WriteAllText(Path.Combine(layout.CniConfDir, $"10-{ClusterNetwork.CniNetworkName}.conflist"), Cni(layout));
        File.WriteAllText(layout.KubeletConfig, Kubelet(layout, ports));
        File.WriteAllText(layout.ProxyConfig, Proxy(kubeconfig, ports));
        // Pods never query the host's resolver (nothing leaves the machine).
        File.WriteAllText(layout.ResolvConf, "nameserver 127.0.0.1\n");
    }

    /// <summary>Lets the node pull over plain HTTP from a registry on loopback (read by containerd at every pull).</summary>
    public static void TrustPlainHttpRegistry(NodeLayout layout, string hostPort)
    {
        var dir = Path.Combine(layout.RegistryHosts, hostPort);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "hosts.toml"), $"""
            server = "http://{hostPort}"

            [host."http://{hostPort}"]
              capabilities = ["pull", "resolve"]
              skip_verify = true

            """);
    }

    // restrict_oom_score_adj: these machines withhold CAP_SYS_RESOURCE even from root, so runc cannot lower a score.
    internal static string Containerd(NodeLayout layout, string pauseImage) => $"""
        version = 2
        root = "{layout.ContainerdRoot}"
        state = "{layout.ContainerdState}"
        disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

        [grpc]
          address = "{layout.ContainerdSocket}"

        [ttrpc]
          address = "{layout.ContainerdSocket}.ttrpc"

        [plugins."io.containerd.internal.v1.opt"]
          path = "{Path.Combine(layout.Root, "containerd", "opt")}"

        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "{pauseImage}"
          restrict_oom_score_adj = true
          netns_mounts_under_state_dir = true
          enable_unprivileged_ports = false
          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "overlayfs"
            default_runtime_name = "runc"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                SystemdCgroup = false
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "/usr/lib/cni"
            conf_dir = "{layout.CniConfDir}"
          [plugins."io.containerd.grpc.v1.cri".registry]
            config_path = "{layout.RegistryHosts}"

        """;

    // No masquerading and no portmap: pods talk to each other and to the host, never to the outside.
    internal static string Cni(NodeLayout layout) => $$"""
        {
          "cniVersion": "0.4.0",
          "name": "{{ClusterNetwork.CniNetworkName}}",
          "plugins": [
            {
              "type": "bridge",
              "bridge": "{{ClusterNetwork.BridgeName}}",
              "isGateway": true,
              "ipMasq": false,
              "hairpinMode": true,
              "ipam": {
                "type": "host-local",
                "ranges": [[{ "subnet": "{{ClusterNetwork.PodCidr}}", "gateway": "{{ClusterNetwork.BridgeGateway}}" }]],
                "routes": [{ "dst": "0.0.0.0/0" }],
                "dataDir": "{{layout.CniIpamDir}}"
              }
            }
          ]
        }

        """;

    // Loopback-only kubelet API with anonymous access: the API server reaches it at the node name `localhost`.
    // Eviction and image GC are effectively off: small test disks would otherwise evict the operator's pods.
    internal static string Kubelet(NodeLayout layout, Ports ports) => $"""
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        address: 127.0.0.1
        port: {ports.KubeletPort}
        readOnlyPort: 0
        healthzBindAddress: 127.0.0.1
        healthzPort: {ports.KubeletHealthz}
        cgroupDriver: cgroupfs
        cgroupRoot: /{NodeLayout.CgroupRoot}
        failSwapOn: false
        authentication:
          anonymous:
            enabled: true
          webhook:
            enabled: false
        authorization:
          mode: AlwaysAllow
        clusterDomain: cluster.local
        resolvConf: {layout.ResolvConf}
        evictionHard:
          memory.available: 1Mi
          nodefs.available: 1%
          nodefs.inodesFree: 1%
          imagefs.available: 1%
        imageGCHighThresholdPercent: 100
        imageGCLowThresholdPercent: 99
        serializeImagePulls: false
        fileCheckFrequency: 0s
        syncFrequency: 10s
        nodeStatusUpdateFrequency: 4s
        """;

    // iptables mode like most clusters; conntrack limits and timeouts 0 = leave the host's settings alone.
    internal static string Proxy(string kubeconfig, Ports ports) => $"""
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        bindAddress: 127.0.0.1
        healthzBindAddress: 127.0.0.1:{ports.ProxyHealthz}
        metricsBindAddress: 127.0.0.1:{ports.ProxyMetrics}
        clientConnection:
          kubeconfig: {kubeconfig}
        clusterCIDR: {ClusterNetwork.PodCidr}
        hostnameOverride: {NodeName}
        mode: iptables
        nodePortAddresses:
        - {ClusterNetwork.BridgeGateway}/32
        conntrack:
          maxPerCore: 0
          min: 0
          tcpEstablishedTimeout: 0s
          tcpCloseWaitTimeout: 0s
        """;
}
