using System.Net;
using GmsaOperator.Entities.Deployment;
using GmsaOperator.Webhooks.Certificates;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GmsaOperator.Webhooks.Registration;

/// <summary>
/// Local mode (operator outside the cluster, <c>make run</c>): registers url-based webhook configurations pointing at
/// <c>https://127.0.0.1:&lt;port&gt;</c> with the serving certificate as caBundle, and removes them on shutdown so a
/// stopped operator does not leave a failurePolicy-Fail webhook behind. Does nothing unless <c>Webhooks:RegisterLocally</c>.
/// Registers in <see cref="StartedAsync"/>, i.e. once Kestrel listens (the host's start still waits for it): registering
/// earlier would point a failurePolicy-Fail webhook at a closed port and keep Kestrel waiting behind API calls.
/// </summary>
public sealed partial class LocalWebhookRegistrar(IKubernetes client, IServingCertificateProvider certificates, IOptions<WebhookOptions> options, ILogger<LocalWebhookRegistrar> logger)
    : IHostedLifecycleService
{
    // One line saying who registers the webhooks: a `run` on a laptop against a real cluster otherwise leaves people
    // guessing why nothing calls it.
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.RegisterLocally) LogLocalMode(logger, o.ConfigurationName, o.Port, OperatorDeployment.WebhookConfigurationName);
        else LogServiceMode(logger, OperatorDeployment.WebhookConfigurationName, o.OperatorNamespace, OperatorDeployment.WebhookServiceName);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.RegisterLocally) return;
        // With failurePolicy Fail, registering before a certificate can be served would fail every pod meanwhile.
        await WarnIfServiceConfigurationsExistAsync(o.ConfigurationName, cancellationToken).ConfigureAwait(false);
        await certificates.WaitUntilServingAsync(cancellationToken).ConfigureAwait(false);
        var clientConfig = AdmissionWebhookConfigurations.UrlClientConfig(new Uri($"https://127.0.0.1:{o.Port}"), certificates.GetCaBundlePem());
        // The same definition as config/webhook, with a url instead of a service; tests sharing one API server may scope it.
        var scoped = ScopedSelector(o.LocalSelectorLabel);
        await WebhookConfigurationApplier.ApplyAsync(client,
            AdmissionWebhookConfigurations.Mutating(o.ConfigurationName, o.OperatorNamespace, clientConfig, scoped),
            AdmissionWebhookConfigurations.Validating(o.ConfigurationName, o.OperatorNamespace, clientConfig, scoped, scoped),
            cancellationToken).ConfigureAwait(false);
        LogRegistered(logger, o.ConfigurationName, o.Port);
    }

    /// <summary>
    /// config/default's service-based configurations next to ours mean the API server calls both (an in-cluster
    /// operator and this one). They are left alone: deleting or replacing them would take down the deployed operator's
    /// webhooks, and ours go away on exit.
    /// </summary>
    private async Task WarnIfServiceConfigurationsExistAsync(string ownName, CancellationToken cancellationToken)
    {
        var production = OperatorDeployment.WebhookConfigurationName;
        if (string.Equals(ownName, production, StringComparison.Ordinal)) return;
        var found = new List<string>();
        try
        {
            if (await ExistsAsync(() => client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(production, cancellationToken: cancellationToken)).ConfigureAwait(false))
            {
                found.Add("MutatingWebhookConfiguration");
            }
            if (await ExistsAsync(() => client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(production, cancellationToken: cancellationToken)).ConfigureAwait(false))
            {
                found.Add("ValidatingWebhookConfiguration");
            }
        }
        catch (HttpOperationException e)
        {
            // Only a warning is at stake: a user who may not read them gets on without it.
            LogCheckFailed(logger, production, (int)e.Response.StatusCode);
            return;
        }
        if (found.Count > 0) LogServiceConfigurationsPresent(logger, string.Join(" and ", found), production, ownName);
    }

    private static async Task<bool> ExistsAsync<T>(Func<Task<T>> read)
    {
        try
        {
            await read().ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Parses <c>key=value</c> into a matchLabels selector; null when empty.</summary>
    internal static V1LabelSelector? ScopedSelector(string label)
    {
        if (string.IsNullOrWhiteSpace(label)) return null;
        var parts = label.Split('=', 2);
        if (parts.Length != 2 || parts[0].Trim().Length == 0)
        {
            throw new ArgumentException($"Webhooks:LocalSelectorLabel must be key=value, got '{label}'");
        }
        return new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [parts[0].Trim()] = parts[1].Trim() } };
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Before anything stops (Kestrel included), so the API server stops calling us while we still answer.
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.RegisterLocally) return;
        var name = options.Value.ConfigurationName;
        try
        {
            await WebhookConfigurationApplier.DeleteAsync(client, name, name, cancellationToken).ConfigureAwait(false);
            LogRemoved(logger, name);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRemoveFailed(logger, name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "webhooks: registered by this process (local mode): url-based configurations {Name} → https://127.0.0.1:{Port}, removed on exit; "
        + "without --local-webhooks the service-based configurations {ServiceName} of config/default are expected instead")]
    private static partial void LogLocalMode(ILogger logger, string name, int port, string serviceName);

    [LoggerMessage(Level = LogLevel.Information, Message = "webhooks: not registered by this process; expected from config/default (service-based configurations {Name} → Service {Namespace}/{Service}); "
        + "to have this process register url-based ones for itself (API server on this machine), run with --local-webhooks")]
    private static partial void LogServiceMode(ILogger logger, string name, string @namespace, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "local mode: {Kinds} {Name} (config/default, service-based) also present: the API server calls those webhooks as well as ours ({Own}), "
        + "so an in-cluster operator answers too; this process leaves them untouched")]
    private static partial void LogServiceConfigurationsPresent(ILogger logger, string kinds, string name, string own);

    [LoggerMessage(Level = LogLevel.Debug, Message = "local mode: could not look for config/default's webhook configurations {Name}: HTTP {Status}")]
    private static partial void LogCheckFailed(ILogger logger, string name, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "local mode: registered webhook configurations {Name} → https://127.0.0.1:{Port}")]
    private static partial void LogRegistered(ILogger logger, string name, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "local mode: removed webhook configurations {Name}")]
    private static partial void LogRemoved(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "local mode: could not remove webhook configurations {Name}: {Error}")]
    private static partial void LogRemoveFailed(ILogger logger, string name, string error);
}
