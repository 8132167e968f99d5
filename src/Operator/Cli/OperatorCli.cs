using System.CommandLine;

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
        return root;
    }

    public static Task<int> InvokeAsync(string[] args) => InvokeAsync(Build(), args);

    public static Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var config = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
        return root.Parse(args).InvokeAsync(config);
    }
}
