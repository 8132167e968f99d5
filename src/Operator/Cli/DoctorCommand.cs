using System.CommandLine;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Operator.Cli.Doctor;
using k8s;

namespace GmsaOperator.Operator.Cli;

/// <summary><c>gmsa-operator doctor</c>: the documentation's GMSA troubleshooting as a ✓/✗/! checklist (thin shell over <see cref="DoctorChecks"/>).</summary>
public static class DoctorCommand
{
    public const int UsageError = 2;

    /// <param name="cluster">The connection flags when the parent command has them (kubectl plugin); else the command gets its own.</param>
    public static Command Create(ClusterFlags? cluster = null)
    {
        var operatorNamespace = new Option<string>("--operator-namespace") { Description = "Namespace the operator runs in (its leader Lease)", DefaultValueFactory = _ => OperatorDeployment.Namespace };
        var webhookName = new Option<string?>("--webhook-configuration")
        {
            Description = $"Name of the Mutating/ValidatingWebhookConfiguration (default: {OperatorDeployment.WebhookConfigurationName} of config/default, "
                          + $"else {OperatorDeployment.LocalWebhookConfigurationName} of a local-mode `run`)",
        };
        var output = new Option<string>("--output", "-o") { Description = "Output format", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var target = new Argument<string?>("target") { Description = "pod/NAME, deployment/NAME, serviceaccount/NAME or gmsabinding/NAME (omit to check only the cluster-side setup)", Arity = ArgumentArity.ZeroOrOne };

        var command = new Command("doctor", "Check a GMSA setup end to end (CRDs, operator, webhooks and certificates, credential spec, RBAC, pod) and print the fix for every problem. Exit code 0 when all checks pass, 1 otherwise.");
        var flags = cluster ?? ClusterFlags.AddTo(command);
        command.Options.Add(operatorNamespace);
        command.Options.Add(webhookName);
        command.Options.Add(output);
        command.Arguments.Add(target);
        command.SetAction(async (parse, ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            DoctorTarget? parsedTarget = null;
            if (parse.GetValue(target) is { } text && (parsedTarget = DoctorTarget.Parse(text, out var error)) is null)
            {
                await stderr.WriteLineAsync($"error: {error}");
                return UsageError;
            }

            if (flags.Resolve(parse, out var loadError) is not { } connection)
            {
                await stderr.WriteLineAsync($"error: {loadError}");
                return UsageError;
            }

            var config = connection.Config;
            using var client = new Kubernetes(config);
            var named = parse.GetValue(webhookName);
            var request = new DoctorRequest(connection.Namespace, parse.GetValue(operatorNamespace)!,
                named ?? OperatorDeployment.WebhookConfigurationName, parsedTarget,
                FallbackWebhookConfigurationName: named is null ? OperatorDeployment.LocalWebhookConfigurationName : null);
            DoctorReport report;
            try
            {
                report = DoctorReport.From(await new DoctorInputCollector(client, TimeProvider.System).CollectAsync(request, ct));
            }
            catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException)
            {
                await stderr.WriteLineAsync($"error: cannot read the cluster at {config.Host}: {e.Message}");
                return 1;
            }
            catch (System.Text.Json.JsonException)
            {
                // A proxy or web server in front of the address answers with a page, not the Kubernetes API.
                await stderr.WriteLineAsync($"error: {config.Host} did not answer like a Kubernetes API server (the response is not Kubernetes JSON); check the kubeconfig's server address");
                return 1;
            }
            await stdout.WriteAsync(parse.GetValue(output) == "json" ? report.ToJson() : report.ToText());
            return report.ExitCode;
        });
        return command;
    }
}
