namespace GmsaOperator.LocalControlPlane.Node;

/// <summary>Where a local node keeps its files, all under one run directory (the teardown unmounts below it).</summary>
public sealed record NodeLayout(string Root)
{
    public string ContainerdConfig => Path.Combine(Root, "containerd.toml");
    public string ContainerdRoot => Path.Combine(Root, "containerd", "root");
    public string ContainerdState => Path.Combine(Root, "containerd", "state");
    public string ContainerdSocket => Path.Combine(Root, "containerd", "containerd.sock");
    public string RegistryHosts => Path.Combine(Root, "containerd", "certs.d");
    public string CniConfDir => Path.Combine(Root, "cni", "net.d");
    public string CniIpamDir => Path.Combine(Root, "cni", "ipam");
    public string KubeletRoot => Path.Combine(Root, "kubelet");
    public string KubeletCerts => Path.Combine(Root, "kubelet-pki");
    public string KubeletConfig => Path.Combine(Root, "kubelet.yaml");
    public string KubeletVolumePlugins => Path.Combine(Root, "volume-plugins");
    public string ProxyConfig => Path.Combine(Root, "kube-proxy.yaml");
    public string ResolvConf => Path.Combine(Root, "resolv.conf");
    public string Script => Path.Combine(Root, "local-node.sh");
    public string StateFile => Path.Combine(Root, "pids");
    public string Log(string name) => Path.Combine(Root, $"{name}.log");

    /// <summary>The cgroup (in every hierarchy) that holds all pods, so a teardown finds every container process.</summary>
    public const string CgroupRoot = "gmsa-node";
}
