using System.CommandLine;
using GmsaOperator.Operator.Cli.Bindings;
using k8s;

namespace GmsaOperator.Operator.Cli;

/// <summary><c>bind CREDSPEC SA...</c>: let service accounts use a credential spec by creating or extending a GmsaBinding (thin shell over <see cref="BindingBinder"/>).</summary>
public static class BindCommand
{
    public const int UsageError = 2;

    /// <param name="cluster">The connection flags when the parent command has them (kubectl plugin); else the command gets its own.</param>
    public static Command Create(ClusterFlags? cluster = null)
    {
        var credSpec = new Argument<string>("credspec") { Description = "Name of the GMSACredentialSpec" };
        var serviceAccounts = new Argument<string[]>("serviceaccount") { Description = "Service accounts of the namespace that may use it", Arity = ArgumentArity.OneOrMore };
        var name = new Option<string?>("--name")
        {
            Description = "Name of the GmsaBinding to create or extend (default: the binding of the namespace granting the credspec, else a new one named after it)",
        };
        var dryRun = new Option<string>("--dry-run")
        {
            Description = "\"none\" writes; \"server\" sends the request for validation (webhooks included) without persisting it; \"client\" only prints what would be done",
            DefaultValueFactory = _ => "none",
        };
        dryRun.AcceptOnlyFromAmong("none", "server", "client");
        ObjectNameArguments.Validate(credSpec, "GMSACredentialSpec");
        ObjectNameArguments.Validate(serviceAccounts, "service account");
        name.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault()?.Value is { } value && ObjectNameArguments.Error(value, "GmsaBinding") is { } error) result.AddError(error);
        });

        var command = new Command("bind", "Let service accounts use a GMSACredentialSpec: create the namespace's GmsaBinding for it, or add them to the existing one "
                                          + "(existing entries are kept). The API server refuses it unless you may 'use' the credspec yourself.");
        command.Arguments.Add(credSpec);
        command.Arguments.Add(serviceAccounts);
        command.Options.Add(name);
        command.Options.Add(dryRun);
        var flags = cluster ?? ClusterFlags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (flags.Resolve(parse, out var loadError) is not { } connection)
            {
                await stderr.WriteLineAsync($"error: {loadError}");
                return UsageError;
            }

            var mode = parse.GetValue(dryRun) switch { "server" => DryRun.Server, "client" => DryRun.Client, _ => DryRun.None };
            using var client = new Kubernetes(connection.Config);
            try
            {
                var outcome = await new BindingBinder(client).BindAsync(connection.Namespace, parse.GetValue(credSpec)!, parse.GetValue(serviceAccounts)!,
                    parse.GetValue(name), mode, ct);
                foreach (var warning in outcome.Warnings) await stderr.WriteLineAsync($"Warning: {warning}");
                var suffix = mode switch { DryRun.Server => " (server dry run)", DryRun.Client => " (dry run)", _ => "" };
                await stdout.WriteLineAsync($"gmsabinding.gmsa.dev/{outcome.Name} {outcome.Verb}{suffix}");
                return 0;
            }
            catch (BindRefusedException e)
            {
                await stderr.WriteLineAsync(e.Message);
                return 1;
            }
            catch (HttpRequestException e)
            {
                await stderr.WriteLineAsync($"error: cannot reach the cluster at {connection.Config.Host}: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
