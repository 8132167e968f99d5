using GmsaOperator.Operator.Cli.Plugin;

namespace GmsaOperator.Tests.Cli.Plugin;

/// <summary>The namespace and cluster <c>kubectl gmsa</c> works in: <c>-n</c>, else the context's namespace, else "default".</summary>
public sealed class ClusterFlagsTests
{
    private string _kubeconfig = null!;

    [SetUp]
    public void SetUp()
    {
        _kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("cluster-flags").FullName, "config");
        File.WriteAllText(_kubeconfig, """
            apiVersion: v1
            kind: Config
            current-context: plain
            clusters:
            - name: c
              cluster:
                server: https://c:6443
            - name: other
              cluster:
                server: https://other:6443
            users:
            - name: u
              user:
                token: t
            contexts:
            - name: plain
              context:
                cluster: c
                user: u
            - name: shop
              context:
                cluster: other
                user: u
                namespace: shop
            """);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(Path.GetDirectoryName(_kubeconfig)!, recursive: true);

    private (string? Host, string? Namespace, string? Error) Resolve(params string[] flags)
    {
        var root = KubectlPlugin.Build();
        var parse = root.Parse(["bind", "cs", "sa", "--kubeconfig", _kubeconfig, .. flags]);
        var connection = ResolveWith(parse);
        return (connection.Host, connection.Namespace, connection.Error);
    }

    private static (string? Host, string? Namespace, string? Error) ResolveWith(System.CommandLine.ParseResult parse)
    {
        // The very options of the built plugin root, as its commands resolve them.
        var flags = GmsaOperator.Operator.Cli.ClusterFlags.Of(parse.RootCommandResult.Command);
        var connection = flags.Resolve(parse, out var error);
        return (connection?.Config.Host, connection?.Namespace, error);
    }

    [Test]
    public void Namespace_DefaultsToDefault_ThenTheContexts_AndTheFlagWins()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Resolve(), Is.EqualTo(("https://c:6443", "default", (string?)null)));
            Assert.That(Resolve("--context", "shop"), Is.EqualTo(("https://other:6443", "shop", (string?)null)));
            Assert.That(Resolve("--context", "shop", "-n", "web"), Is.EqualTo(("https://other:6443", "web", (string?)null)));
        });
    }

    [Test]
    public void MissingKubeconfigOrContext_IsAnErrorNamingIt()
    {
        Assert.That(Resolve("--context", "nope").Error, Does.Contain("nope"));
        var parse = KubectlPlugin.Build().Parse(["bind", "cs", "sa", "--kubeconfig", _kubeconfig + ".missing"]);
        Assert.That(ResolveWith(parse).Error, Does.Contain(".missing").And.Contain("does not exist"));
    }
}
