using GmsaOperator.Operator.Cli.Plugin;

namespace GmsaOperator.Tests.Cli.Plugin;

/// <summary><c>kubectl gmsa</c>'s command line: kubectl's flags anywhere, kubectl-style help and usage errors.</summary>
public sealed class KubectlPluginTests
{
    [TestCase("-n", "shop", "doctor", "deployment/web", "--context", "prod")]
    [TestCase("doctor", "deployment/web", "--namespace", "shop", "--context=prod")]
    [TestCase("--context", "prod", "doctor", "-n", "shop", "deployment/web")]
    public void ConnectionFlags_ParseBeforeOrAfterTheCommand(params string[] args)
    {
        var parse = KubectlPlugin.Build().Parse(args);
        Assert.Multiple(() =>
        {
            Assert.That(parse.Errors, Is.Empty);
            Assert.That(parse.CommandResult.Command.Name, Is.EqualTo("doctor"));
            Assert.That(parse.GetValue<string?>("--namespace"), Is.EqualTo("shop"));
            Assert.That(parse.GetValue<string?>("--context"), Is.EqualTo("prod"));
            Assert.That(parse.GetValue<string?>("target"), Is.EqualTo("deployment/web"));
        });
    }

    [Test]
    public void Bind_TakesACredSpecAndServiceAccounts_AndKubectlsDryRunSpelling()
    {
        var parse = KubectlPlugin.Build().Parse(["bind", "gmsa-webapp1", "webapp", "worker", "--kubeconfig", "/k", "--dry-run=server", "--name", "web"]);
        Assert.Multiple(() =>
        {
            Assert.That(parse.Errors, Is.Empty);
            Assert.That(parse.GetValue<string>("credspec"), Is.EqualTo("gmsa-webapp1"));
            Assert.That(parse.GetValue<string[]>("serviceaccount"), Is.EqualTo(new[] { "webapp", "worker" }));
            Assert.That(parse.GetValue<string?>("--kubeconfig"), Is.EqualTo("/k"));
            Assert.That(parse.GetValue<string>("--dry-run"), Is.EqualTo("server"));
            Assert.That(parse.GetValue<string?>("--name"), Is.EqualTo("web"));
        });
    }

    [Test]
    public async Task NoCommand_PrintsKubectlStyleUsage()
    {
        var (exit, output, error) = await PluginRunner.RunAsync();
        Assert.That((exit, error), Is.EqualTo((0, "")));
        Assert.That(output, Does.Contain("\n\nUsage:\n  kubectl gmsa [command] [flags]\n\nExamples:\n  # "));
        Assert.That(output, Does.Contain("\nAvailable Commands:\n  bind        Let service accounts use a GMSACredentialSpec"));
        Assert.That(output, Does.Contain("\n  credspec    ").And.Contain("\n  doctor      "));
        Assert.That(output, Does.Not.Contain("  run ").And.Not.Contain("generate").And.Not.Contain("--version"));
        Assert.That(output, Does.Contain("\nFlags:\n      --kubeconfig string   ").And.Contain("\n  -n, --namespace string    ").And.Contain("\n  -h, --help                help for kubectl gmsa\n"));
        Assert.That(output, Does.EndWith("\nUse \"kubectl gmsa [command] --help\" for more information about a command.\n"));
    }

    [Test]
    public async Task SubcommandHelp_HasItsUsageLine_LocalFlags_AndTheConnectionFlagsAsGlobalFlags()
    {
        var (exit, output, _) = await PluginRunner.RunAsync("bind", "--help");
        Assert.That(exit, Is.EqualTo(0));
        Assert.That(output, Does.Contain("\nUsage:\n  kubectl gmsa bind CREDSPEC SERVICEACCOUNT... [flags]\n\nExamples:\n"));
        Assert.That(output, Does.Contain("\nFlags:\n      --name string      ").And.Contain("(default \"none\")\n  -h, --help             help for bind\n"));
        Assert.That(output, Does.Contain("\nGlobal Flags:\n      --kubeconfig string   ").And.Contain("\n      --context string      "));

        var (_, doctor, _) = await PluginRunner.RunAsync("doctor", "-h");
        Assert.That(doctor, Does.Contain("\n  kubectl gmsa doctor [TARGET] [flags]\n").And.Contain("  -o, --output string").And.Contain("(default \"text\")"));

        var (_, credspec, _) = await PluginRunner.RunAsync("credspec", "--help");
        Assert.That(credspec, Does.Contain("\n  kubectl gmsa credspec [command]\n").And.Contain("\n  convert     Convert New-CredentialSpec JSON"));
        Assert.That(credspec, Does.EndWith("Use \"kubectl gmsa credspec [command] --help\" for more information about a command.\n"));
    }

    [TestCase(new[] { "bind", "--nope", "webapp" }, "error: unknown flag: --nope", "bind")]
    [TestCase(new[] { "bind", "gmsa-webapp1" }, "error: Required argument missing for command: 'bind'.", "bind")]
    [TestCase(new[] { "bind", "gmsa-webapp1", "Web_App" }, "error: 'Web_App' is not a valid service account name", "bind")]
    [TestCase(new[] { "bind", "gmsa-webapp1", "webapp", "--dry-run=maybe" }, "error: Argument 'maybe' not recognized.", "bind")]
    [TestCase(new[] { "run" }, "error: Unrecognized command or argument 'run'.", "")]
    public async Task UsageErrors_AreOneKubectlStyleLine_AndExit1(string[] args, string message, string command)
    {
        var (exit, output, error) = await PluginRunner.RunAsync(args);
        var path = command.Length == 0 ? "kubectl gmsa" : $"kubectl gmsa {command}";
        Assert.That((exit, output), Is.EqualTo((1, "")));
        Assert.That(error, Does.StartWith(message).And.EndWith($"\nSee '{path} --help' for usage.\n"));
    }
}
