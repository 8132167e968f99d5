using System.CommandLine;

namespace GmsaOperator.Operator.Cli;

/// <summary>The <c>gmsa-operator</c> command line.</summary>
public static class OperatorCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("GmsaOperator: owns the lifecycle of Windows GMSA identities for Kubernetes pods.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(LocalClusterCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(CredentialSpecCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        return root;
    }

    public static Task<int> InvokeAsync(string[] args)
    {
        var config = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
        return Build().Parse(args).InvokeAsync(config);
    }
}
