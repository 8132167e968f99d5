using System.Security.Cryptography.X509Certificates;
using GmsaOperator.LocalControlPlane;
using GmsaOperator.Webhooks.Certificates;

namespace GmsaOperator.Tests.LocalControlPlane;

/// <summary>What the local control plane writes so kube-apiserver presents a client certificate to webhooks.</summary>
public sealed class WebhookClientCredentialsTests
{
    [Test]
    public void ClientCertificate_ChainsToItsOwnCa_AndIsHandedToBothWebhookPlugins()
    {
        var dir = Directory.CreateTempSubdirectory("webhook-client").FullName;
        try
        {
            var files = WebhookClientCredentials.Create(dir, TimeProvider.System);

            using var authority = ClientCertificateAuthority.TryLoad(files.CaCert, DateTimeOffset.UtcNow, out var problem);
            Assert.That(authority, Is.Not.Null, problem);
            using var client = X509Certificate2.CreateFromPemFile(files.ClientCert, files.ClientKey);
            Assert.That(client.Subject, Is.EqualTo(WebhookClientCredentials.ClientSubject));
            Assert.That(authority!.Accepts(client, null, DateTimeOffset.UtcNow, out problem), Is.True, problem);
            Assert.That(File.GetUnixFileMode(files.ClientKey), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

            Assert.That(File.ReadAllText(files.Kubeconfig), Is.EqualTo($"""
                apiVersion: v1
                kind: Config
                users:
                - name: '*'
                  user:
                    client-certificate: '{files.ClientCert}'
                    client-key: '{files.ClientKey}'


                """.ReplaceLineEndings("\n")));
            var admission = File.ReadAllText(files.AdmissionConfiguration);
            Assert.That(admission, Does.StartWith("apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n"));
            foreach (var plugin in new[] { "ValidatingAdmissionWebhook", "MutatingAdmissionWebhook" })
            {
                Assert.That(admission, Does.Contain($"- name: {plugin}\n  configuration:\n    apiVersion: apiserver.config.k8s.io/v1\n    kind: WebhookAdmissionConfiguration\n    kubeConfigFile: '{files.Kubeconfig}'\n"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
