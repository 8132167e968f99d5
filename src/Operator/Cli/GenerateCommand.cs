using System.CommandLine;
using GmsaOperator.Operator.Generation;

namespace GmsaOperator.Operator.Cli;

/// <summary><c>gmsa-operator generate config --output DIR</c>: writes the kustomize tree generated from the code (<c>make manifests</c>).</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Directory to write the config tree to", DefaultValueFactory = _ => "config" };
        var config = new Command("config", "Generate config/ (CRDs, RBAC, manager, webhook, samples, default) from the code.");
        config.Options.Add(output);
        config.SetAction(async (parse, ct) =>
        {
            var directory = parse.GetValue(output)!;
            var result = await ConfigWriter.WriteAsync(directory, ConfigGenerator.Generate(), ct);
            foreach (var path in result.Written) Console.WriteLine($"wrote   {Path.Combine(directory, path)}");
            foreach (var path in result.Removed) Console.WriteLine($"removed {Path.Combine(directory, path)}");
            Console.WriteLine($"{result.Written.Count} written, {result.Unchanged.Count} unchanged, {result.Removed.Count} removed.");
            return 0;
        });

        var command = new Command("generate", "Generate files from the code.");
        command.Subcommands.Add(config);
        return command;
    }
}
