using GmsaOperator.Entities.Deployment;
using GmsaOperator.Webhooks.Registration;
using k8s.Models;

namespace GmsaOperator.Operator.Generation;

/// <summary><c>config/webhook</c>: the webhook Service and both webhook configurations (no caBundle: injected at run time).</summary>
public static class WebhookManifests
{
    public static IEnumerable<GeneratedFile> Files()
    {
        Admissionregistrationv1WebhookClientConfig ServiceConfig(string path) => new()
        {
            Service = new Admissionregistrationv1ServiceReference
            {
                Name = OperatorDeployment.WebhookServiceBaseName,
                NamespaceProperty = OperatorDeployment.Namespace,
                Path = path,
                Port = 443,
            },
        };

        var files = new List<GeneratedFile>
        {
            GeneratedFile.Yaml("webhook/service.yaml", ManagerManifests.Service(OperatorDeployment.WebhookServiceBaseName,
                new V1ServicePort { Name = "https", Port = 443, Protocol = "TCP", TargetPort = "webhook-server" })),
            GeneratedFile.Yaml("webhook/mutating_webhook_configuration.yaml",
                AdmissionWebhookConfigurations.Mutating(OperatorDeployment.WebhookConfigurationBaseName, OperatorDeployment.Namespace, ServiceConfig)),
            GeneratedFile.Yaml("webhook/validating_webhook_configuration.yaml",
                AdmissionWebhookConfigurations.Validating(OperatorDeployment.WebhookConfigurationBaseName, OperatorDeployment.Namespace, ServiceConfig)),
        };
        return [.. files, Kustomization.File("webhook", files.Select(f => f.Path["webhook/".Length..]))];
    }
}
