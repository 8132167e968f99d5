using System.CommandLine;
using GmsaOperator.Operator.Hosting;
using k8s;
using k8s.Exceptions;

namespace GmsaOperator.Operator.Cli;

/// <summary>A cluster to talk to and the namespace to work in, resolved from the command line and the environment.</summary>
public sealed record ClusterConnection(KubernetesClientConfiguration Config, string Namespace);

/// <summary>
/// kubectl's connection flags: <c>--kubeconfig</c>, <c>--context</c>, <c>-n/--namespace</c>. One instance is shared by
/// the commands that talk to a cluster; as a kubectl plugin the flags are recursive on the root, so they may come
/// before or after the command name as with kubectl itself.
/// </summary>
public sealed class ClusterFlags
{
    public const string DefaultNamespace = "default";

    private ClusterFlags(Option<string?> kubeconfig, Option<string?> context, Option<string?> @namespace) =>
        (Kubeconfig, Context, Namespace) = (kubeconfig, context, @namespace);

    private ClusterFlags()
        : this(
            new("--kubeconfig") { Description = "Path to the kubeconfig file to use (default: $KUBECONFIG, a list merged like kubectl does, else ~/.kube/config, else in-cluster)" },
            new("--context") { Description = "The name of the kubeconfig context to use" },
            new("--namespace", "-n") { Description = "The namespace to work in (default: the context's namespace, else 'default')" })
    {
    }

    public Option<string?> Kubeconfig { get; }

    public Option<string?> Context { get; }

    public Option<string?> Namespace { get; }

    public IReadOnlyList<Option> All => [Kubeconfig, Context, Namespace];

    /// <summary>Flags available on every subcommand of <paramref name="root"/>.</summary>
    public static ClusterFlags AddRecursive(Command root)
    {
        var flags = new ClusterFlags();
        foreach (var option in flags.All)
        {
            option.Recursive = true;
            root.Options.Add(option);
        }
        return flags;
    }

    /// <summary>The flags on one command only.</summary>
    public static ClusterFlags AddTo(Command command)
    {
        var flags = new ClusterFlags();
        foreach (var option in flags.All) command.Options.Add(option);
        return flags;
    }

    /// <summary>The flags a command already carries (added by <see cref="AddTo"/> or <see cref="AddRecursive"/>).</summary>
    internal static ClusterFlags Of(Command command)
    {
        Option<string?> Named(string name) => command.Options.OfType<Option<string?>>().Single(o => o.Name == name);
        return new ClusterFlags(Named("--kubeconfig"), Named("--context"), Named("--namespace"));
    }

    /// <summary>The connection; null with <paramref name="error"/> when the kubeconfig cannot be used.</summary>
    public ClusterConnection? Resolve(ParseResult parse, out string? error)
    {
        error = null;
        try
        {
            var config = Load(parse.GetValue(Kubeconfig), parse.GetValue(Context));
            return new ClusterConnection(config, parse.GetValue(Namespace) ?? config.Namespace ?? DefaultNamespace);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException or FormatException)
        {
            error = $"cannot load the kubeconfig: {e.Message}";
            return null;
        }
    }

    private static KubernetesClientConfiguration Load(string? flag, string? context)
    {
        var paths = KubeconfigPaths.Resolve(flag, Environment.GetEnvironmentVariable("KUBECONFIG"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        if (flag is not null && !File.Exists(flag)) throw new KubeConfigException($"the kubeconfig file {flag} does not exist");
        if (paths.Count == 0 || (flag is null && paths.All(p => !File.Exists(p)) && KubernetesClientConfiguration.IsInCluster()))
        {
            if (context is not null) throw new KubeConfigException($"context '{context}' was asked for, but there is no kubeconfig (in-cluster configuration has no contexts)");
            return KubernetesClientConfiguration.InClusterConfig();
        }
        return KubeconfigLoader.LoadMerged(paths, context);
    }
}
