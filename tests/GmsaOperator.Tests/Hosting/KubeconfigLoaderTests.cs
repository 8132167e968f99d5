using GmsaOperator.Operator.Hosting;
using k8s.Exceptions;

namespace GmsaOperator.Tests.Hosting;

/// <summary>The reflection-free kubeconfig reader the NativeAOT build uses must agree with KubernetesClient's loader.</summary>
public sealed class KubeconfigLoaderTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("kubeconfig-test").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static string Config(string cluster, string user, string context = "    cluster: c\n    user: u\n") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: other
          cluster:
            server: https://wrong:1
        - name: c
          cluster:
        {cluster}
        users:
        - name: u
          user:
        {user}
        contexts:
        - name: ctx
          context:
        {context}
        current-context: ctx
        """;

    private static string CaBase64()
    {
        using var ca = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test-ca", ca, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        return Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(cert.ExportCertificatePem()));
    }

    [Test]
    public void Parse_CertificateDataAndNamespace_MatchesKubernetesClientLoader()
    {
        var yaml = Config(
            $"    server: https://127.0.0.1:6443\n    certificate-authority-data: {CaBase64()}\n    tls-server-name: api.local\n",
            "    client-certificate-data: Y2VydA==\n    client-key-data: a2V5\n",
            "    cluster: c\n    user: u\n    namespace: team-a\n");
        var path = Path.Combine(_dir, "config");
        File.WriteAllText(path, yaml);

        var ours = KubeconfigLoader.Parse(yaml, _dir);
        var theirs = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        Assert.Multiple(() =>
        {
            Assert.That(ours.Host, Is.EqualTo(theirs.Host).And.EqualTo("https://127.0.0.1:6443"));
            Assert.That(ours.Namespace, Is.EqualTo(theirs.Namespace).And.EqualTo("team-a"));
            Assert.That(ours.TlsServerName, Is.EqualTo(theirs.TlsServerName).And.EqualTo("api.local"));
            Assert.That(ours.ClientCertificateData, Is.EqualTo(theirs.ClientCertificateData));
            Assert.That(ours.ClientCertificateKeyData, Is.EqualTo(theirs.ClientCertificateKeyData));
            Assert.That(ours.SkipTlsVerify, Is.EqualTo(theirs.SkipTlsVerify).And.False);
            Assert.That(ours.SslCaCerts!.Select(c => c.Thumbprint), Is.EqualTo(theirs.SslCaCerts!.Select(c => c.Thumbprint)));
        });
    }

    [Test]
    public void Parse_RelativeFilesAndToken_ResolvedAgainstTheKubeconfigDirectory()
    {
        var yaml = Config(
            "    server: https://10.0.0.1\n    certificate-authority: ca.crt\n    insecure-skip-tls-verify: true\n",
            "    client-certificate: certs/admin.crt\n    client-key: certs/admin.key\n    token: abc\n");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(CaBase64())));

        var config = KubeconfigLoader.Parse(yaml, _dir);

        Assert.Multiple(() =>
        {
            Assert.That(config.ClientCertificateFilePath, Is.EqualTo(Path.Combine(_dir, "certs", "admin.crt")));
            Assert.That(config.ClientKeyFilePath, Is.EqualTo(Path.Combine(_dir, "certs", "admin.key")));
            Assert.That(config.AccessToken, Is.EqualTo("abc"));
            Assert.That(config.SkipTlsVerify, Is.True);
            Assert.That(config.SslCaCerts, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void Parse_ExecCredentials_FailWithAPreciseError()
    {
        var yaml = Config("    server: https://10.0.0.1\n", "    exec:\n      command: aws\n");
        Assert.That(() => KubeconfigLoader.Parse(yaml, _dir), Throws.TypeOf<KubeConfigException>().With.Message.Contains("'exec'"));
    }

    [Test]
    public void Parse_UnknownContextCluster_FailsNamingIt()
    {
        var yaml = Config("    server: https://10.0.0.1\n", "    token: t\n", "    cluster: missing\n    user: u\n");
        Assert.That(() => KubeconfigLoader.Parse(yaml, _dir), Throws.TypeOf<KubeConfigException>().With.Message.Contains("cluster named 'missing'"));
    }
}
