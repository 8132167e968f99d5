using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Exceptions;
using YamlDotNet.RepresentationModel;

namespace GmsaOperator.Operator.Hosting;

/// <summary>
/// Loads a kubeconfig file. Under the JIT this is KubernetesClient's loader; under NativeAOT that loader cannot run
/// (its YAML setup orders properties by metadata token, which NativeAOT does not keep), so the current context is
/// read here with YamlDotNet's node model: server, CA, TLS options, client certificate/key, bearer token, basic auth
/// and namespace. Exec and auth-provider credentials are not supported there and fail with a precise error.
/// </summary>
public static class KubeconfigLoader
{
    /// <summary>The client configuration of <paramref name="path"/>'s current context.</summary>
    public static KubernetesClientConfiguration Load(string path) =>
        RuntimeFeature.IsDynamicCodeSupported
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
            : Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!);

    /// <summary>
    /// The client configuration of <paramref name="context"/> (else the current context) in the merge of
    /// <paramref name="paths"/> (see <see cref="KubeconfigMerger"/>). Files that do not exist are skipped, as kubectl
    /// skips them in <c>KUBECONFIG</c>; at least one must exist.
    /// </summary>
    public static KubernetesClientConfiguration LoadMerged(IReadOnlyList<string> paths, string? context = null)
    {
        var sources = paths.Where(File.Exists)
            .Select(p => new KubeconfigMerger.Source(File.ReadAllText(p), Path.GetDirectoryName(Path.GetFullPath(p))!, p))
            .ToList();
        if (sources.Count == 0) throw new KubeConfigException($"none of the kubeconfig files exists: {string.Join(", ", paths)}");
        var merged = KubeconfigMerger.Merge(sources);
        if (!RuntimeFeature.IsDynamicCodeSupported) return Parse(merged, Environment.CurrentDirectory, context);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(merged));
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(stream, context);
    }

    /// <summary>Parses kubeconfig YAML; relative file paths are resolved against <paramref name="baseDirectory"/>.</summary>
    /// <param name="contextOverride">The context to use instead of the document's <c>current-context</c>.</param>
    public static KubernetesClientConfiguration Parse(string yaml, string baseDirectory, string? contextOverride = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new KubeConfigException("kubeconfig is empty or not a mapping");

        var contextName = contextOverride ?? Scalar(root, "current-context") ?? throw new KubeConfigException("kubeconfig has no current-context");
        var context = Named(root, "contexts", "context", contextName);
        var clusterName = Scalar(context, "cluster") ?? throw new KubeConfigException($"context '{contextName}' names no cluster");
        var cluster = Named(root, "clusters", "cluster", clusterName);
        var userName = Scalar(context, "user");
        var user = userName is null ? new YamlMappingNode() : Named(root, "users", "user", userName);
        foreach (var unsupported in new[] { "exec", "auth-provider" })
        {
            if (user.Children.ContainsKey(new YamlScalarNode(unsupported)))
                throw new KubeConfigException($"user '{userName}' uses '{unsupported}' credentials, which the NativeAOT build does not support; use a certificate or token kubeconfig");
        }

        string? FilePath(YamlMappingNode node, string key) => Scalar(node, key) is { } p ? Path.GetFullPath(p, baseDirectory) : null;
        var config = new KubernetesClientConfiguration
        {
            Host = Scalar(cluster, "server") ?? throw new KubeConfigException($"cluster '{clusterName}' has no server"),
            SkipTlsVerify = string.Equals(Scalar(cluster, "insecure-skip-tls-verify"), "true", StringComparison.OrdinalIgnoreCase),
            TlsServerName = Scalar(cluster, "tls-server-name"),
            Namespace = Scalar(context, "namespace"),
            ClientCertificateData = Scalar(user, "client-certificate-data"),
            ClientCertificateKeyData = Scalar(user, "client-key-data"),
            ClientCertificateFilePath = FilePath(user, "client-certificate"),
            ClientKeyFilePath = FilePath(user, "client-key"),
            AccessToken = Scalar(user, "token") ?? (FilePath(user, "tokenFile") is { } tokenFile ? File.ReadAllText(tokenFile).Trim() : null),
            Username = Scalar(user, "username"),
            Password = Scalar(user, "password"),
        };
        var caPem = Scalar(cluster, "certificate-authority-data") is { } data
            ? System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(data))
            : FilePath(cluster, "certificate-authority") is { } caFile ? File.ReadAllText(caFile) : null;
        if (caPem is not null)
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(caPem);
            config.SslCaCerts = certificates;
        }
        return config;
    }

    private static YamlMappingNode Named(YamlMappingNode root, string listKey, string itemKey, string name)
    {
        if (root.Children.TryGetValue(new YamlScalarNode(listKey), out var list) && list is YamlSequenceNode items)
        {
            foreach (var item in items.OfType<YamlMappingNode>())
            {
                if (Scalar(item, "name") == name && item.Children.TryGetValue(new YamlScalarNode(itemKey), out var value) && value is YamlMappingNode body)
                    return body;
            }
        }
        throw new KubeConfigException($"kubeconfig has no {itemKey} named '{name}'");
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;
}
