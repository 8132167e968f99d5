using System.Reflection;
using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.Generation;
using GmsaOperator.Webhooks.Authorization;
using GmsaOperator.Webhooks.CredentialSpecs;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// <c>/validate-gmsabinding</c>: whoever creates a GmsaBinding (or changes its credspec or adds service accounts) must
/// themselves be allowed to <c>use</c> the credspec in that namespace — otherwise anyone allowed to write GmsaBindings
/// could grant their workloads any domain identity through the operator's privileges. Updates that change neither
/// (finalizers, labels, removals) pass, so the operator's own metadata writes are not blocked. Missing service accounts
/// or credspec only produce admission warnings. Turning on <c>spec.rolloutOnChange</c> lets the operator restart the
/// namespace's Deployments, StatefulSets and DaemonSets with its own rights, so whoever turns it on must be allowed to
/// patch them (<see cref="IWorkloadRestartReviewer"/>; without one, such bindings are refused).
/// </summary>
public sealed class GmsaBindingValidator(IAccessReviewer reviewer, IServiceAccountDirectory serviceAccounts, ICredentialSpecSource credentialSpecs,
    IWorkloadRestartReviewer? restartReviewer = null)
{
    public const string Kind = "GmsaBinding";

    private static readonly PropertyInfo ServiceAccountsProperty = typeof(GmsaBindingSpec).GetProperty(nameof(GmsaBindingSpec.ServiceAccounts))!;

    /// <summary>The CRD's <c>maxItems</c> of <c>spec.serviceAccounts</c> (one lookup per item, so a forged body must not exceed it either).</summary>
    public static readonly int MaxServiceAccounts = ServiceAccountsProperty.GetCustomAttribute<ItemsAttribute>()!.Max;

    /// <summary>The CRD's <c>maxLength</c> of each <c>spec.serviceAccounts</c> item.</summary>
    public static readonly int MaxServiceAccountNameLength = ServiceAccountsProperty.GetCustomAttribute<ItemPatternAttribute>()!.MaxLength;

    public async ValueTask<AdmissionResult> ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind?.Kind != Kind) return AdmissionResult.Deny(400, $"expected a {Kind} object, got a {request.Kind?.Kind}");
        if (request.Operation is not ("CREATE" or "UPDATE")) return AdmissionResult.Deny(AdmissionErrors.UnexpectedOperation(request.Operation));
        // Counted on the raw document first: decoding 10,000 forged items costs far more than refusing them.
        if (RawServiceAccountCount(request.Object) is > 0 and var count && count > MaxServiceAccounts)
        {
            return AdmissionResult.Deny(422, $"GmsaBinding {GoQuote.Quote(RawName(request.Object) ?? request.Name ?? "")} is invalid: {TooManyServiceAccounts(count)}");
        }
        if (!TryDecode(request.Object, out var binding, out var error)) return AdmissionResult.Deny(error!);

        var @namespace = request.Namespace ?? binding.Metadata?.Namespace ?? "";
        if (AdmissionNames.InvalidNamespace(@namespace) is { } badNamespace) return AdmissionResult.Deny(400, $"namespace: {badNamespace}");
        var name = binding.Metadata?.Name ?? request.Name ?? "";
        var credentialSpec = binding.Spec?.CredentialSpecName;
        if (string.IsNullOrEmpty(credentialSpec))
        {
            return AdmissionResult.Deny(422, $"GmsaBinding {GoQuote.Quote(name)} is invalid: spec.credentialSpecName is required");
        }
        // The CRD schema already refuses what follows; checked here too so a forged body never turns into API calls
        // (SubjectAccessReview, GETs), cache keys, or a denial message that echoes a name of up to the whole body limit.
        if (AdmissionNames.InvalidSubdomain(credentialSpec) is { } invalid)
        {
            return AdmissionResult.Deny(422, $"GmsaBinding {GoQuote.Quote(name)} is invalid: spec.credentialSpecName: {invalid}");
        }
        if (InvalidServiceAccounts(binding) is { } badAccounts)
        {
            return AdmissionResult.Deny(422, $"GmsaBinding {GoQuote.Quote(name)} is invalid: {badAccounts}");
        }

        GmsaBindingObject? old = null;
        if (request.Operation == "UPDATE" && TryDecode(request.OldObject, out var decodedOld, out _)) old = decodedOld;
        var grantsMore = old is null || GrantsMore(binding, old);
        var turnsOnRollout = binding.Spec?.RolloutOnChange == true && old?.Spec?.RolloutOnChange != true;
        if (!grantsMore && !turnsOnRollout) return AdmissionResult.Allow();

        var user = request.UserInfo;
        var subject = new AccessSubject(
            user?.Username ?? "",
            user?.Groups ?? [],
            user?.Uid,
            user?.Extra?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value));
        var verb = request.Operation == "CREATE" ? "create" : "update";
        var decision = grantsMore ? await reviewer.CanUseCredentialSpecAsync(subject, @namespace, credentialSpec, cancellationToken).ConfigureAwait(false) : default;
        if (grantsMore && !decision.Allowed)
        {
            var message = $"user {GoQuote.Quote(subject.User)} may not {verb} GmsaBinding {GoQuote.Quote(name)} in namespace {GoQuote.Quote(@namespace)}: "
                          + $"granting GMSA cred spec {GoQuote.Quote(credentialSpec)} requires the user to be authorized to `use` it "
                          + $"(verb use on gmsacredentialspecs.windows.k8s.io {GoQuote.Quote(credentialSpec)} in namespace {GoQuote.Quote(@namespace)})"
                          + (string.IsNullOrEmpty(decision.Reason) ? "" : $", reason: {GoQuote.Quote(decision.Reason)}");
            return AdmissionResult.Deny(403, message);
        }
        if (turnsOnRollout && await RolloutRefusalAsync(subject, @namespace, name, verb, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return AdmissionResult.Deny(403, refusal);
        }
        if (!grantsMore) return AdmissionResult.Allow();

        return AdmissionResult.Allow(await WarningsAsync(binding, @namespace, credentialSpec, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Why the author may not turn on <c>rolloutOnChange</c>, or null when they may.</summary>
    private async ValueTask<string?> RolloutRefusalAsync(AccessSubject subject, string @namespace, string name, string verb, CancellationToken cancellationToken)
    {
        var prefix = $"user {GoQuote.Quote(subject.User)} may not {verb} GmsaBinding {GoQuote.Quote(name)} in namespace {GoQuote.Quote(@namespace)}: "
                     + "spec.rolloutOnChange lets the operator restart the namespace's Deployments, StatefulSets and DaemonSets, which requires the user to be authorized to patch them";
        if (restartReviewer is null) return prefix + " (this webhook cannot check that)";
        var decision = await restartReviewer.CanRestartWorkloadsAsync(subject, @namespace, cancellationToken).ConfigureAwait(false);
        if (decision.Allowed) return null;
        return prefix + $" (verb patch on {decision.Resource}.apps in namespace {GoQuote.Quote(@namespace)})"
               + (string.IsNullOrEmpty(decision.Reason) ? "" : $", reason: {GoQuote.Quote(decision.Reason)}");
    }

    private async ValueTask<List<string>> WarningsAsync(GmsaBindingObject binding, string @namespace, string credentialSpec, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        try
        {
            if (await credentialSpecs.GetAsync(credentialSpec, cancellationToken).ConfigureAwait(false) is null)
            {
                warnings.Add($"GMSA cred spec {GoQuote.Quote(credentialSpec)} does not exist (yet); pods cannot use this binding until it is created");
            }
        }
        catch (CredentialSpecLookupException)
        {
            // Unknown: a warning is advice, not a decision.
        }
        foreach (var serviceAccount in binding.ServiceAccountNames.Distinct(StringComparer.Ordinal))
        {
            if (await serviceAccounts.ExistsAsync(@namespace, serviceAccount, cancellationToken).ConfigureAwait(false) == false)
            {
                warnings.Add($"service account {GoQuote.Quote(serviceAccount)} does not exist in namespace {GoQuote.Quote(@namespace)} (yet); the grant applies once it is created");
            }
        }
        return warnings;
    }

    /// <summary>The first way <c>spec.serviceAccounts</c> breaks the CRD's own limits (item count, item length, name rules), or null.</summary>
    private static string? InvalidServiceAccounts(GmsaBindingObject binding)
    {
        var items = binding.Spec?.ServiceAccounts ?? [];
        if (items.Count > MaxServiceAccounts) return TooManyServiceAccounts(items.Count);
        var names = binding.ServiceAccountNames;
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i].Length > MaxServiceAccountNameLength) return $"spec.serviceAccounts[{i}]: Too long: may not be more than {MaxServiceAccountNameLength} bytes";
            if (AdmissionNames.InvalidSubdomain(names[i]) is { } invalid) return $"spec.serviceAccounts[{i}]: {invalid}";
        }
        return null;
    }

    private static string TooManyServiceAccounts(int count) => $"spec.serviceAccounts: Too many: {count}: must have at most {MaxServiceAccounts} items";

    private static string? RawName(JsonElement? raw) =>
        raw is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
        && metadata.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;

    private static int RawServiceAccountCount(JsonElement? raw) =>
        raw is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("serviceAccounts", out var accounts) && accounts.ValueKind == JsonValueKind.Array ? accounts.GetArrayLength() : 0;

    /// <summary>True when the update points at another credspec or adds service accounts.</summary>
    private static bool GrantsMore(GmsaBindingObject binding, GmsaBindingObject old) =>
        !string.Equals(binding.Spec?.CredentialSpecName, old.Spec?.CredentialSpecName, StringComparison.Ordinal)
        || binding.ServiceAccountNames.Except(old.ServiceAccountNames, StringComparer.Ordinal).Any();

    private static bool TryDecode(JsonElement? raw, out GmsaBindingObject binding, out AdmissionError? error)
    {
        binding = new GmsaBindingObject();
        error = null;
        if (raw is not { ValueKind: JsonValueKind.Object } element)
        {
            error = new AdmissionError(400, "unable to unmarshall GmsaBinding JSON object: unexpected end of JSON input");
            return false;
        }
        try
        {
            binding = element.Deserialize(WebhookJsonContext.Default.GmsaBindingObject) ?? new GmsaBindingObject();
            return true;
        }
        catch (JsonException e)
        {
            error = new AdmissionError(400, $"unable to unmarshall GmsaBinding JSON object: {e.Message}");
            return false;
        }
    }
}
