using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace GmsaOperator.Operator.Cli.Plugin;

/// <summary>One command's short description (command lists) and examples, as kubectl's commands carry them.</summary>
public sealed record PluginDoc(string Short, string Examples = "");

/// <summary>
/// Help in the layout of kubectl and its cobra-based plugins: description, <c>Usage:</c>, <c>Examples:</c>,
/// <c>Available Commands:</c>, <c>Flags:</c>, <c>Global Flags:</c> and the closing <c>Use "… --help"</c> line, flags
/// printed as pflag prints them (<c>-n, --namespace string</c>).
/// </summary>
public sealed class KubectlHelp(IReadOnlyDictionary<Command, PluginDoc> docs) : SynchronousCommandLineAction
{
    public const string Root = "kubectl gmsa";

    public override int Invoke(ParseResult parseResult)
    {
        Write(parseResult.CommandResult.Command, CommandPath(parseResult), parseResult.InvocationConfiguration.Output);
        return 0;
    }

    /// <summary>Root first: the commands from the plugin root down to the parsed one.</summary>
    public static IReadOnlyList<Command> CommandPath(ParseResult parseResult)
    {
        var path = new List<Command>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            path.Insert(0, result.Command);
        return path;
    }

    /// <summary>"kubectl gmsa credspec convert" for a path.</summary>
    public static string Name(IReadOnlyList<Command> path) => string.Join(' ', [Root, .. path.Skip(1).Select(c => c.Name)]);

    public void Write(Command command, IReadOnlyList<Command> path, TextWriter output)
    {
        var name = Name(path);
        var subcommands = command.Subcommands.Where(c => !c.Hidden).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        output.WriteLine(command.Description);
        output.WriteLine();
        output.WriteLine("Usage:");
        if (command.Action is not null && (path.Count > 1 || subcommands.Count == 0)) output.WriteLine($"  {name}{Arguments(command)} [flags]");
        if (subcommands.Count > 0) output.WriteLine($"  {name} [command]{(path.Count == 1 ? " [flags]" : "")}");

        if (docs.TryGetValue(command, out var doc) && doc.Examples.Length > 0)
        {
            output.WriteLine();
            output.WriteLine("Examples:");
            output.WriteLine(doc.Examples.TrimEnd());
        }

        if (subcommands.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Available Commands:");
            var width = Math.Max(11, subcommands.Max(c => c.Name.Length));
            foreach (var sub in subcommands) output.WriteLine($"  {sub.Name.PadRight(width)} {Short(sub)}");
        }

        var inherited = path.Take(path.Count - 1).SelectMany(c => c.Options).Where(o => o.Recursive && !o.Hidden && o is not HelpOption).ToList();
        var local = command.Options.Where(o => !o.Hidden && o is not HelpOption && o is not VersionOption).ToList();
        WriteFlags(output, "Flags:", [.. local.Select(Flag), ($"-h, --help", $"help for {(path.Count == 1 ? "kubectl gmsa" : command.Name)}")]);
        if (inherited.Count > 0) WriteFlags(output, "Global Flags:", [.. inherited.Select(Flag)]);

        if (subcommands.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"Use \"{name} [command] --help\" for more information about a command.");
        }
    }

    private string Short(Command command) =>
        docs.TryGetValue(command, out var doc) ? doc.Short : (command.Description ?? "").Split(". ")[0].TrimEnd('.');

    private static string Arguments(Command command) => string.Concat(command.Arguments.Where(a => !a.Hidden).Select(a =>
    {
        var upper = a.Name.ToUpperInvariant();
        return a.Arity.MinimumNumberOfValues == 0 ? $" [{upper}]" : a.Arity.MaximumNumberOfValues > 1 ? $" {upper}..." : $" {upper}";
    }));

    private static (string Names, string Usage) Flag(Option option)
    {
        var shortName = option.Aliases.FirstOrDefault(a => a.Length == 2 && a[0] == '-');
        var type = option.ValueType == typeof(bool) || option.ValueType == typeof(bool?) ? ""
            : option.ValueType == typeof(int) || option.ValueType == typeof(int?) ? " int"
            : option.ValueType == typeof(string[]) ? " strings" : " string";
        var names = $"{(shortName is null ? "    " : shortName + ", ")}{option.Name}{type}";
        var fallback = option.HasDefaultValue && option.GetDefaultValue() is string { Length: > 0 } d ? $" (default \"{d}\")" : "";
        return (names, (option.Description ?? "") + fallback);
    }

    private static void WriteFlags(TextWriter output, string title, IReadOnlyList<(string Names, string Usage)> flags)
    {
        output.WriteLine();
        output.WriteLine(title);
        var width = flags.Max(f => f.Names.Length);
        foreach (var (names, usage) in flags) output.WriteLine($"  {names.PadRight(width)}   {usage}");
    }
}
