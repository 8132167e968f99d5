using System.CommandLine;
using GmsaOperator.Operator.Cli.Plugin;

namespace GmsaOperator.Tests.Cli.Plugin;

/// <summary>Runs <c>kubectl gmsa</c> in-process with captured output.</summary>
internal static class PluginRunner
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await KubectlPlugin.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
