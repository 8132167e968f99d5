using System.CommandLine;
using GmsaOperator.Operator.Cli.CredentialSpecs;

namespace GmsaOperator.Operator.Cli;

/// <summary><c>gmsa-operator credspec convert</c>: New-CredentialSpec JSON → GMSACredentialSpec YAML (thin shell over <see cref="CredentialSpecConverter"/>).</summary>
public static class CredentialSpecCommand
{
    public const int InputError = 2;

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Credential spec JSON written by New-CredentialSpec, or '-' for standard input" };
        var name = new Option<string?>("--name") { Description = "Name of the GMSACredentialSpec (default: gmsa- + the lower-cased MachineAccountName)" };
        var output = new Option<string?>("--output", "-o") { Description = "File to write the YAML to (default: standard output)" };
        var withBinding = new Option<string?>("--with-binding") { Description = "Also emit a GmsaBinding letting NAMESPACE:SA[,SA…] use the credential spec" };
        var convert = new Command("convert", "Convert a New-CredentialSpec JSON file into a windows.k8s.io/v1 GMSACredentialSpec YAML, validated like the admission webhook does.");
        convert.Arguments.Add(file);
        convert.Options.Add(name);
        convert.Options.Add(output);
        convert.Options.Add(withBinding);
        convert.SetAction(async (parse, ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            try
            {
                var binding = parse.GetValue(withBinding) is { } b ? BindingRequest.Parse(b) : null;
                var bytes = await ReadAsync(path, ct);
                var result = CredentialSpecConverter.Convert(bytes, path == "-" ? "standard input" : path, parse.GetValue(name), binding);
                foreach (var warning in result.Warnings) await stderr.WriteLineAsync($"warning: {warning}");
                if (parse.GetValue(output) is { } target)
                {
                    await File.WriteAllTextAsync(target, result.Yaml, ct);
                    await stderr.WriteLineAsync($"wrote GMSACredentialSpec {result.Name} to {target}");
                }
                else
                {
                    await stdout.WriteAsync(result.Yaml);
                }
                return 0;
            }
            catch (CredentialSpecInputException e)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return InputError;
            }
            catch (IOException e) when (parse.GetValue(output) is { } target && !File.Exists(target) && e is not FileNotFoundException)
            {
                await stderr.WriteLineAsync($"error: cannot write {target}: {e.Message}");
                return InputError;
            }
        });

        var command = new Command("credspec", "Work with GMSA credential specs.");
        command.Subcommands.Add(convert);
        return command;
    }

    private static async Task<byte[]> ReadAsync(string path, CancellationToken ct)
    {
        try
        {
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, ct);
                return buffer.ToArray();
            }
            return await File.ReadAllBytesAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message.TrimEnd('.'),
            };
            throw new CredentialSpecInputException($"cannot read {path}: {reason}.");
        }
    }
}
