using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace GmsaOperator.Operator.Cli.Plugin;

/// <summary>
/// The command line as <c>kubectl gmsa</c>: the user-facing commands (<c>doctor</c>, <c>credspec convert</c>,
/// <c>bind</c>) with kubectl's connection flags on every command, kubectl-style help, and kubectl-style usage errors.
/// The operator's own commands (<c>run</c>, <c>generate</c>) are not part of it.
/// </summary>
public static class KubectlPlugin
{
    /// <summary>kubectl's exit code for a usage error.</summary>
    public const int UsageError = 1;

    public static RootCommand Build()
    {
        var root = new RootCommand("Windows GMSA for Kubernetes pods: check a setup end to end, convert credential specs, and let service accounts use them.");
        foreach (var version in root.Options.OfType<VersionOption>().ToList()) root.Options.Remove(version);
        var flags = ClusterFlags.AddRecursive(root);
        var doctor = DoctorCommand.Create(flags);
        var credSpec = CredentialSpecCommand.Create();
        var bind = BindCommand.Create(flags);
        root.Subcommands.Add(bind);
        root.Subcommands.Add(credSpec);
        root.Subcommands.Add(doctor);

        var docs = new Dictionary<Command, PluginDoc>
        {
            [root] = new("", """
                  # Check why the pods of a Deployment do not get their GMSA identity
                  kubectl gmsa doctor deployment/web -n shop

                  # Let two service accounts use a credential spec
                  kubectl gmsa bind gmsa-webapp1 webapp worker -n shop

                  # Turn New-CredentialSpec output into a GMSACredentialSpec and apply it
                  kubectl gmsa credspec convert WebApp1.json | kubectl apply -f -
                """),
            [doctor] = new("Check a GMSA setup end to end and print the fix for every problem", """
                  # Check the cluster-side setup (CRDs, operator, webhooks, certificates)
                  kubectl gmsa doctor

                  # Check a Deployment in another context and namespace, as JSON
                  kubectl gmsa doctor deployment/web --context prod -n shop -o json
                """),
            [bind] = new("Let service accounts use a GMSACredentialSpec (creates or extends a GmsaBinding)", """
                  # Let the service account webapp of namespace shop use gmsa-webapp1
                  kubectl gmsa bind gmsa-webapp1 webapp -n shop

                  # Add a second account to a named binding; check with the API server first
                  kubectl gmsa bind gmsa-webapp1 worker --name webapp1 -n shop --dry-run=server
                """),
            [credSpec] = new("Work with GMSA credential specs"),
        };
        foreach (var convert in credSpec.Subcommands)
        {
            docs[convert] = new("Convert New-CredentialSpec JSON into a GMSACredentialSpec", """
                  # Convert and apply, with a binding for two service accounts of namespace shop
                  kubectl gmsa credspec convert WebApp1.json --with-binding shop:webapp,worker | kubectl apply -f -
                """);
        }

        var help = new KubectlHelp(docs);
        root.Options.OfType<HelpOption>().Single().Action = help;
        root.SetAction(parse =>
        {
            help.Write(root, [root], parse.InvocationConfiguration.Output);
            return 0;
        });
        return root;
    }

    /// <summary>Runs the plugin; a usage error prints kubectl's <c>error: …</c> and <c>See '… --help' for usage.</c> instead of the whole help.</summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration config, CancellationToken cancellationToken = default)
    {
        var parse = Build().Parse(args);
        if (parse.Action is ParseErrorAction && parse.Errors.Count > 0)
        {
            await config.Error.WriteLineAsync($"error: {parse.Errors[0].Message}");
            await config.Error.WriteLineAsync($"See '{KubectlHelp.Name(KubectlHelp.CommandPath(parse))} --help' for usage.");
            return UsageError;
        }
        return await parse.InvokeAsync(config, cancellationToken);
    }
}
