using System.Security.Cryptography;
using System.Text;

namespace GmsaOperator.LocalControlPlane;

/// <summary>
/// Makes kube-apiserver present a client certificate to admission webhooks: a CA of its own (what a webhook's
/// <c>Webhooks:ClientCaFile</c> points at), a client certificate from it, a kubeconfig whose <c>*</c> user (every
/// webhook host) carries that certificate, and the <c>AdmissionConfiguration</c> handing that kubeconfig to both
/// webhook admission plugins (<c>--admission-control-config-file</c>).
/// </summary>
public sealed record WebhookClientCredentials(string CaCert, string ClientCert, string ClientKey, string Kubeconfig, string AdmissionConfiguration)
{
    /// <summary>Subject of the certificate kube-apiserver presents.</summary>
    public const string ClientSubject = "CN=kube-apiserver-webhook-client";

    public static WebhookClientCredentials Create(string dir, TimeProvider time)
    {
        var now = time.GetUtcNow();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = ControlPlanePki.CreateCa("CN=gmsa-operator-local-webhook-client-ca", caKey, now);
        var (cert, key) = ControlPlanePki.Issue(ca, caKey, ClientSubject, null, serverAuth: false, now);
        var files = new WebhookClientCredentials(
            Path.Combine(dir, "webhook-client-ca.crt"), Path.Combine(dir, "webhook-client.crt"), Path.Combine(dir, "webhook-client.key"),
            Path.Combine(dir, "webhook-client.kubeconfig"), Path.Combine(dir, "admission-configuration.yaml"));
        ControlPlanePki.Write(files.CaCert, ca.ExportCertificatePem());
        ControlPlanePki.Write(files.ClientCert, cert);
        ControlPlanePki.Write(files.ClientKey, key);
        ControlPlanePki.Write(files.Kubeconfig, KubeconfigYaml(files.ClientCert, files.ClientKey));
        ControlPlanePki.Write(files.AdmissionConfiguration, AdmissionConfigurationYaml(files.Kubeconfig));
        return files;
    }

    /// <summary>
    /// Users are looked up by the webhook's host: <c>host:port</c> of a URL webhook, <c>&lt;svc&gt;.&lt;ns&gt;.svc:&lt;port&gt;</c>
    /// of a service webhook, then <c>*.</c>-prefixed suffixes, then <c>*</c>. Local webhooks listen on free ports, so <c>*</c>.
    /// </summary>
    public static string KubeconfigYaml(string clientCert, string clientKey) => new StringBuilder()
        .AppendLine("apiVersion: v1")
        .AppendLine("kind: Config")
        .AppendLine("users:")
        .AppendLine("- name: '*'")
        .AppendLine("  user:")
        .AppendLine($"    client-certificate: {Quote(clientCert)}")
        .AppendLine($"    client-key: {Quote(clientKey)}")
        .ToString();

    public static string AdmissionConfigurationYaml(string kubeconfig)
    {
        var yaml = new StringBuilder()
            .AppendLine("apiVersion: apiserver.config.k8s.io/v1")
            .AppendLine("kind: AdmissionConfiguration")
            .AppendLine("plugins:");
        foreach (var plugin in new[] { "ValidatingAdmissionWebhook", "MutatingAdmissionWebhook" })
        {
            yaml.AppendLine($"- name: {plugin}")
                .AppendLine("  configuration:")
                .AppendLine("    apiVersion: apiserver.config.k8s.io/v1")
                .AppendLine("    kind: WebhookAdmissionConfiguration")
                .AppendLine($"    kubeConfigFile: {Quote(kubeconfig)}");
        }
        return yaml.ToString();
    }

    private static string Quote(string path) => $"'{path.Replace("'", "''", StringComparison.Ordinal)}'";
}
