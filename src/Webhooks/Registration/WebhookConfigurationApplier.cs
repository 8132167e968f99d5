using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.Webhooks.Registration;

/// <summary>Create-or-replace and delete of our two webhook configurations (idempotent).</summary>
public static class WebhookConfigurationApplier
{
    public static async Task ApplyAsync(IKubernetes client, V1MutatingWebhookConfiguration mutating, V1ValidatingWebhookConfiguration validating, CancellationToken cancellationToken)
    {
        var api = client.AdmissionregistrationV1;
        try
        {
            var existing = await api.ReadMutatingWebhookConfigurationAsync(mutating.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            mutating.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await api.ReplaceMutatingWebhookConfigurationAsync(mutating, mutating.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await api.CreateMutatingWebhookConfigurationAsync(mutating, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        try
        {
            var existing = await api.ReadValidatingWebhookConfigurationAsync(validating.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            validating.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await api.ReplaceValidatingWebhookConfigurationAsync(validating, validating.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await api.CreateValidatingWebhookConfigurationAsync(validating, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task DeleteAsync(IKubernetes client, string mutatingName, string validatingName, CancellationToken cancellationToken)
    {
        var api = client.AdmissionregistrationV1;
        try
        {
            await api.DeleteMutatingWebhookConfigurationAsync(mutatingName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        try
        {
            await api.DeleteValidatingWebhookConfigurationAsync(validatingName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}
