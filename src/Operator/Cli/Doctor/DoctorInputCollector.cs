using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Webhooks.Admission;
using GmsaOperator.Webhooks.Authorization;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.Operator.Cli.Doctor;

/// <summary>Where to look: the workload namespace, the operator's namespace and the webhook configuration name.</summary>
/// <param name="FallbackWebhookConfigurationName">Looked at when neither configuration of <paramref name="WebhookConfigurationName"/> exists
/// (the default: config/default's name, else local mode's).</param>
public sealed record DoctorRequest(string Namespace, string OperatorNamespace, string WebhookConfigurationName, DoctorTarget? Target,
    string? FallbackWebhookConfigurationName = null);

/// <summary>
/// The doctor's thin I/O shell: reads what <see cref="DoctorChecks"/> decides on (GETs/LISTs, SubjectAccessReviews,
/// one TLS handshake per url-based webhook endpoint). Only names and credspec contents are read; nothing is written
/// except the access reviews, which have no side effects.
/// </summary>
public sealed class DoctorInputCollector(IKubernetes client, TimeProvider time)
{
    public const string LeaseName = GmsaOperator.Entities.Deployment.OperatorDeployment.LeaderLeaseName;
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task<DoctorInputs> CollectAsync(DoctorRequest request, CancellationToken ct)
    {
        var crds = new List<CrdState>();
        foreach (var name in new[] { DoctorChecks.CredentialSpecCrd, DoctorChecks.GmsaBindingCrd })
        {
            var crd = await OrNull(() => client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: ct));
            crds.Add(new CrdState(name, crd?.Spec.Versions.Where(v => v.Served).Select(v => v.Name).ToList()));
        }

        var lease = await OrNull(() => client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, request.OperatorNamespace, cancellationToken: ct));
        var leaseState = new LeaseState(request.OperatorNamespace, LeaseName, lease is not null, lease?.Spec?.HolderIdentity,
            lease?.Spec?.RenewTime is { } renew ? new DateTimeOffset(DateTime.SpecifyKind(renew, DateTimeKind.Utc)) : null, lease?.Spec?.LeaseDurationSeconds);

        var webhookName = request.WebhookConfigurationName;
        var mutating = await OrNull(() => client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(webhookName, cancellationToken: ct));
        var validating = await OrNull(() => client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(webhookName, cancellationToken: ct));
        if (mutating is null && validating is null && request.FallbackWebhookConfigurationName is { } fallback)
        {
            var localMutating = await OrNull(() => client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(fallback, cancellationToken: ct));
            var localValidating = await OrNull(() => client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(fallback, cancellationToken: ct));
            // Report the fallback only when it is there: otherwise the fix names config/default's configurations.
            if (localMutating is not null || localValidating is not null) (webhookName, mutating, validating) = (fallback, localMutating, localValidating);
        }
        var configurations = new List<WebhookConfigurationState>
        {
            new("MutatingWebhookConfiguration", webhookName, mutating?.Webhooks?.Select(h => Hook(h.Name, h.ClientConfig)).ToList()),
            new("ValidatingWebhookConfiguration", webhookName, validating?.Webhooks?.Select(h => Hook(h.Name, h.ClientConfig)).ToList()),
        };
        var served = new List<ServedCertificate>();
        foreach (var url in configurations.SelectMany(c => c.Webhooks ?? []).Select(h => h.Url).OfType<string>()
                     .Select(u => new Uri(u).GetLeftPart(UriPartial.Authority)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            served.Add(await FetchServedCertificateAsync(new Uri(url), ct));
        }

        var credentialSpecs = await ListCredentialSpecsAsync(ct);
        var bindings = await ListBindingsAsync(request.Namespace, ct);
        var target = request.Target is { } t ? await ResolveTargetAsync(request.Namespace, t, bindings, ct) : new TargetState(null, request.Namespace, false, [], [], []);

        var access = new List<AccessState>();
        var reviewer = new SubjectAccessReviewer(client);
        foreach (var account in target.ServiceAccounts)
        {
            foreach (var name in target.CredentialSpecNames)
            {
                var decision = await reviewer.CanUseCredentialSpecAsync(AccessSubject.ForServiceAccount(request.Namespace, account), request.Namespace, name, ct);
                access.Add(new AccessState(account, name, decision.Allowed, decision.Reason));
            }
        }

        var grants = access.Any(a => !a.Allowed) ? await ListRbacGrantsAsync(request.Namespace, ct) : [];
        return new DoctorInputs(time.GetUtcNow(), crds, leaseState, configurations, served, target,
            [.. credentialSpecs.Select(s => s.Name)], credentialSpecs, bindings, access, grants);
    }

    private static WebhookState Hook(string name, Admissionregistrationv1WebhookClientConfig config) =>
        new(name, config.Url, config.Service is { } s ? $"{s.NamespaceProperty}/{s.Name}:{s.Port ?? 443}" : null, config.CaBundle);

    /// <summary>Completes a TLS handshake with the webhook endpoint only to read the certificate it serves (verified later, against the caBundle).</summary>
    public static async Task<ServedCertificate> FetchServedCertificateAsync(Uri endpoint, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        X509Certificate2? served = null;
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(endpoint.Host.Trim('[', ']'), endpoint.Port, timeout.Token);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = endpoint.Host.Trim('[', ']'),
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                // Capture, don't judge: DoctorChecks verifies the certificate against the webhook's own caBundle.
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is not null) served = new X509Certificate2(certificate);
                    return true;
                },
            }, timeout.Token);
            return new ServedCertificate(endpoint.ToString(), served, served is null ? "no certificate was served" : null);
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return new ServedCertificate(endpoint.ToString(), null, e is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : e.Message);
        }
    }

    private async Task<List<CredentialSpecState>> ListCredentialSpecsAsync(CancellationToken ct)
    {
        var list = await OrNull(() => client.CustomObjects.ListClusterCustomObjectAsync<JsonElement?>(
            GmsaCredentialSpec.ApiGroup, GmsaCredentialSpec.StorageVersion, GmsaCredentialSpec.Plural, cancellationToken: ct));
        var result = new List<CredentialSpecState>();
        if (list is not { ValueKind: JsonValueKind.Object } l || !l.TryGetProperty("items", out var items)) return result;
        foreach (var item in items.EnumerateArray())
        {
            var name = item.GetProperty("metadata").GetProperty("name").GetString()!;
            var (canonical, _) = CredentialSpecResolver.Canonicalize(name, item);
            string? dns = null;
            if (item.TryGetProperty("credspec", out var spec) && spec.ValueKind == JsonValueKind.Object
                && spec.TryGetProperty("DomainJoinConfig", out var domain) && domain.ValueKind == JsonValueKind.Object
                && domain.TryGetProperty("DnsName", out var d) && d.ValueKind == JsonValueKind.String)
            {
                dns = d.GetString();
            }
            result.Add(new CredentialSpecState(name, canonical, dns));
        }
        return result;
    }

    /// <summary>Rules granting <c>use</c> of named credspecs, to explain a denial caused by hand-written RBAC (read only when something is denied).</summary>
    private async Task<List<RbacGrant>> ListRbacGrantsAsync(string @namespace, CancellationToken ct)
    {
        static IEnumerable<string> Names(IEnumerable<V1PolicyRule>? rules) => (rules ?? [])
            .Where(r => r.Verbs?.Any(v => v is "use" or "*") == true
                        && r.Resources?.Any(x => x is GmsaCredentialSpec.Plural or "*") == true
                        && r.ApiGroups?.Any(g => g is GmsaCredentialSpec.ApiGroup or "*") == true)
            .SelectMany(r => r.ResourceNames ?? []);

        var grants = new List<RbacGrant>();
        try
        {
            var clusterRoles = await client.RbacAuthorizationV1.ListClusterRoleAsync(cancellationToken: ct);
            grants.AddRange(clusterRoles.Items.Select(r => new RbacGrant("ClusterRole", r.Metadata.Name, [.. Names(r.Rules)])).Where(g => g.ResourceNames.Count > 0));
            var roles = await client.RbacAuthorizationV1.ListNamespacedRoleAsync(@namespace, cancellationToken: ct);
            grants.AddRange(roles.Items.Select(r => new RbacGrant("Role", r.Metadata.Name, [.. Names(r.Rules)])).Where(g => g.ResourceNames.Count > 0));
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            // Reading RBAC is only for a better explanation; the access check itself already failed.
        }
        return grants;
    }

    private async Task<List<BindingState>> ListBindingsAsync(string @namespace, CancellationToken ct)
    {
        var list = await OrNull(() => client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement?>(
            GmsaBinding.ApiGroup, GmsaBinding.Version, @namespace, GmsaBinding.Plural, cancellationToken: ct));
        if (list is not { ValueKind: JsonValueKind.Object } l || !l.TryGetProperty("items", out var items)) return [];
        return [.. items.EnumerateArray().Select(item => KubernetesJson.Deserialize<GmsaBinding>(item.GetRawText())).Select(b =>
        {
            var ready = b.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
            return new BindingState(b.Metadata.Name, b.Spec.CredentialSpecName, [.. b.Spec.ServiceAccounts], ready?.Status, ready?.Reason, b.Spec.SecureChannelRepair, PodTrackingState.Of(b));
        })];
    }

    private async Task<TargetState> ResolveTargetAsync(string ns, DoctorTarget target, List<BindingState> bindings, CancellationToken ct)
    {
        var description = target.ToString();
        TargetState NotFound() => new(description, ns, false, [], [], []);
        switch (target.Kind)
        {
            case DoctorTargetKind.Pod:
            {
                if (await OrNull(() => client.CoreV1.ReadNamespacedPodAsync(target.Name, ns, cancellationToken: ct)) is not { } pod) return NotFound();
                var state = await PodStateAsync(pod, ct);
                return new TargetState(description, ns, true, Names(state.Blocks), [state.ServiceAccount], [state]);
            }
            case DoctorTargetKind.Deployment:
            {
                if (await OrNull(() => client.AppsV1.ReadNamespacedDeploymentAsync(target.Name, ns, cancellationToken: ct)) is not { } deployment) return NotFound();
                var template = Decode(new V1Pod { Spec = deployment.Spec.Template.Spec });
                // Only matchLabels are turned into a label selector (what Deployments almost always use); a selector made only of
                // matchExpressions finds no pods here, so only the template is checked.
                var selector = deployment.Spec.Selector?.MatchLabels is { Count: > 0 } labels
                    ? string.Join(',', labels.Select(kv => $"{kv.Key}={kv.Value}"))
                    : null;
                var pods = new List<PodState>();
                if (selector is not null)
                {
                    var list = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct);
                    foreach (var pod in list.Items) pods.Add(await PodStateAsync(pod, ct));
                }
                return new TargetState(description, ns, true, Names(GmsaBlock.Enumerate(template).ToList()),
                    [deployment.Spec.Template.Spec.ServiceAccountName ?? "default"], pods);
            }
            case DoctorTargetKind.ServiceAccount:
            {
                if (await OrNull(() => client.CoreV1.ReadNamespacedServiceAccountAsync(target.Name, ns, cancellationToken: ct)) is null) return NotFound();
                var names = bindings.Where(b => b.ServiceAccounts.Contains(target.Name, StringComparer.Ordinal)).Select(b => b.CredentialSpecName).Distinct(StringComparer.Ordinal).ToList();
                return new TargetState(description, ns, true, names, [target.Name], []);
            }
            default:
            {
                var binding = bindings.FirstOrDefault(b => b.Name == target.Name);
                return binding is null ? NotFound() : new TargetState(description, ns, true, [binding.CredentialSpecName], binding.ServiceAccounts, []);
            }
        }
    }

    private async Task<PodState> PodStateAsync(V1Pod pod, CancellationToken ct)
    {
        var decoded = Decode(pod);
        var blocks = GmsaBlock.Enumerate(decoded).ToList();
        var nodeName = pod.Spec.NodeName;
        V1Node? node = nodeName is null ? null : await OrNull(() => client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: ct));
        string? os = null;
        node?.Metadata.Labels?.TryGetValue("kubernetes.io/os", out os);
        return new PodState(pod.Metadata.Name, pod.Spec.ServiceAccountName ?? "default", blocks, nodeName, os, node is not null, decoded);
    }

    private static PodObject Decode(V1Pod pod)
    {
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(pod));
        return PodDecoder.TryDecode(document.RootElement, out var decoded, out _) ? decoded : new PodObject();
    }

    private static List<string> Names(IReadOnlyList<GmsaBlock> blocks) =>
        [.. blocks.Select(b => b.Name).OfType<string>().Distinct(StringComparer.Ordinal)];

    private static async Task<T?> OrNull<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return default;
        }
    }
}
