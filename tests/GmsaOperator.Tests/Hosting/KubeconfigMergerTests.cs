using GmsaOperator.Operator.Cli;
using GmsaOperator.Operator.Hosting;
using k8s.Exceptions;

namespace GmsaOperator.Tests.Hosting;

/// <summary>A multi-path KUBECONFIG merged as kubectl merges it: the first file to set a value wins.</summary>
public sealed class KubeconfigMergerTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("kubeconfig-merge").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string yaml)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    // First file: no current-context, its own "prod" cluster, a "dev" context with namespace team-a, and a user
    // whose client certificate is a file relative to it.
    private string First() => Write("a/config", """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster:
            server: https://prod-from-first:6443
        - name: dev
          cluster:
            server: https://dev:6443
        users:
        - name: me
          user:
            client-certificate: certs/me.crt
            client-key: certs/me.key
        contexts:
        - name: dev
          context:
            cluster: dev
            user: me
            namespace: team-a
        """);

    // Second file: sets current-context, redefines "prod" (ignored: the first file's wins) and adds context "prod".
    private string Second() => Write("b/config", """
        apiVersion: v1
        kind: Config
        current-context: prod
        clusters:
        - name: prod
          cluster:
            server: https://prod-from-second:6443
        users:
        - name: me
          user:
            token: from-second
        contexts:
        - name: prod
          context:
            cluster: prod
            user: me
        - name: dev
          context:
            cluster: prod
            user: me
        """);

    [Test]
    public void LoadMerged_FirstDefinitionWins_CurrentContextFromTheFirstFileSettingIt()
    {
        var paths = new[] { First(), Second() };

        var current = KubeconfigLoader.LoadMerged(paths);
        var dev = KubeconfigLoader.LoadMerged(paths, "dev");

        Assert.Multiple(() =>
        {
            Assert.That(current.Host, Is.EqualTo("https://prod-from-first:6443"), "cluster 'prod' of the first file");
            Assert.That(current.ClientCertificateFilePath, Is.EqualTo(Path.Combine(_dir, "a", "certs", "me.crt")), "user 'me' of the first file; its path relative to the first file");
            Assert.That(current.AccessToken, Is.Null, "not the second file's user 'me'");
            Assert.That(current.Namespace, Is.Null);
            Assert.That(dev.Host, Is.EqualTo("https://dev:6443"), "context 'dev' of the first file");
            Assert.That(dev.Namespace, Is.EqualTo("team-a"));
        });
    }

    [Test]
    public void Merge_ParsedByTheNativeAotReader_AgreesWithKubernetesClient()
    {
        var paths = new[] { First(), Second() };
        var sources = paths.Select(p => new KubeconfigMerger.Source(File.ReadAllText(p), Path.GetDirectoryName(p)!, p)).ToList();
        var merged = KubeconfigMerger.Merge(sources);

        var ours = KubeconfigLoader.Parse(merged, "/nowhere", "dev");
        var theirs = KubeconfigLoader.LoadMerged(sources.Select(s => s.Description).ToList(), "dev");

        Assert.That((ours.Host, ours.Namespace, ours.ClientCertificateFilePath, ours.ClientKeyFilePath),
            Is.EqualTo((theirs.Host, theirs.Namespace, theirs.ClientCertificateFilePath, theirs.ClientKeyFilePath)));
        Assert.That(merged, Does.Contain(Path.Combine(_dir, "a", "certs", "me.key")), "relative paths are absolute in the merged document");
    }

    [Test]
    public void LoadMerged_MissingFilesAreSkipped_ButOneMustExist()
    {
        var second = Second();
        Assert.That(KubeconfigLoader.LoadMerged([Path.Combine(_dir, "missing"), second]).Host, Is.EqualTo("https://prod-from-second:6443"));
        Assert.That(() => KubeconfigLoader.LoadMerged([Path.Combine(_dir, "missing")]), Throws.TypeOf<KubeConfigException>().With.Message.Contains("none of the kubeconfig files exists"));
    }

    [Test]
    public void LoadMerged_UnknownContext_FailsNamingIt() =>
        Assert.That(() => KubeconfigLoader.LoadMerged([First(), Second()], "staging"), Throws.InstanceOf<Exception>().With.Message.Contains("staging"));

    [Test]
    public void Paths_FlagAlone_ElseEveryKubeconfigEntry_ElseHome()
    {
        var sep = Path.PathSeparator;
        Assert.Multiple(() =>
        {
            Assert.That(KubeconfigPaths.Resolve("/flag", $"/a{sep}/b", "/home/me"), Is.EqualTo(new[] { "/flag" }));
            Assert.That(KubeconfigPaths.Resolve(null, $"/a{sep}{sep}/b{sep}/a", "/home/me"), Is.EqualTo(new[] { "/a", "/b" }));
            Assert.That(KubeconfigPaths.Resolve(null, "", "/home/me"), Is.EqualTo(new[] { "/home/me/.kube/config" }));
            Assert.That(KubeconfigPaths.Resolve(null, null, ""), Is.Empty);
        });
    }
}
