using System.CommandLine;
using GmsaOperator.Operator.Cli.Plugin;

namespace GmsaOperator.Operator.Cli;

/// <summary>The <c>gmsa-operator</c> command line.</summary>
public static class OperatorCli
{
    /// <summary>The commands; <paramref name="startLocal"/> lets <c>run</c> start a local cluster (development host only).</summary>
    public static RootCommand Build(LocalClusterStarter? startLocal = null)
    {
        var root = new RootCommand("GmsaOperator: owns the lifecycle of Windows GMSA identities for Kubernetes pods.");
        root.Subcommands.Add(RunCommand.Create(startLocal));
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(CredentialSpecCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(BindCommand.Create());
        return root;
    }

    /// <summary>Runs as <c>gmsa-operator</c>, or as <c>kubectl gmsa</c> when started under the plugin's name (see <see cref="PluginInvocation"/>).</summary>
    public static Task<int> InvokeAsync(string[] args) =>
        PluginInvocation.IsPlugin(PluginInvocation.CandidateNames())
            ? KubectlPlugin.InvokeAsync(args, Configuration())
            : InvokeAsync(Build(), args);

    public static Task<int> InvokeAsync(RootCommand root, string[] args) => root.Parse(args).InvokeAsync(Configuration());

    private static InvocationConfiguration Configuration() => new() { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
}
