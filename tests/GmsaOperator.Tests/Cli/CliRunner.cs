using System.CommandLine;
using GmsaOperator.Operator.Cli;

namespace GmsaOperator.Tests.Cli;

/// <summary>Runs the real <c>gmsa-operator</c> command line in-process with captured output.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await OperatorCli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
