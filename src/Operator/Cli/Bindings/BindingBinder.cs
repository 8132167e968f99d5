using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using GmsaOperator.Entities.Bindings;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.Operator.Cli.Bindings;

/// <summary>How <c>bind</c> writes: not at all (client), validated but not persisted by the API server (server), or for real.</summary>
public enum DryRun
{
    None,
    Client,
    Server,
}

/// <summary>What <c>bind</c> did, in kubectl's words (created, patched, unchanged), and the API server's warnings.</summary>
public sealed record BindOutcome(string Name, string Verb, IReadOnlyList<string> Warnings);

/// <summary>The API server refused a write; <see cref="Exception.Message"/> is its answer as kubectl prints it.</summary>
public sealed class BindRefusedException(string message) : Exception(message);

/// <summary>
/// Creates or extends a GmsaBinding. Extending is a merge patch carrying the read <c>resourceVersion</c>, so a binding
/// changed in between is never overwritten (its entries dropped): a conflict re-reads and re-plans, a few times.
/// Whether the caller may grant the credspec at all is the API server's decision (our validating webhook).
/// </summary>
public sealed class BindingBinder(IKubernetes client)
{
    public const string FieldManager = "kubectl-gmsa";
    private const int MaxAttempts = 5;

    public async Task<BindOutcome> BindAsync(string @namespace, string credentialSpec, IReadOnlyList<string> serviceAccounts, string? name, DryRun dryRun, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var existing = await ReadAsync(@namespace, name, ct);
                var action = BindPlan.Choose(existing, credentialSpec, serviceAccounts, name);
                return await ApplyAsync(@namespace, credentialSpec, action, dryRun, ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxAttempts)
            {
                // Created or changed by someone else since we read it: read again.
            }
            catch (HttpOperationException e)
            {
                throw new BindRefusedException(ApiServerMessages.Refusal((int)e.Response.StatusCode, e.Response.Content));
            }
        }
    }

    private async Task<IReadOnlyList<ExistingBinding>> ReadAsync(string @namespace, string? name, CancellationToken ct)
    {
        if (name is not null)
        {
            try
            {
                var one = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(
                    GmsaBinding.ApiGroup, GmsaBinding.Version, @namespace, GmsaBinding.Plural, name, ct);
                return [Existing(one)];
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return [];
            }
        }
        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
            GmsaBinding.ApiGroup, GmsaBinding.Version, @namespace, GmsaBinding.Plural, cancellationToken: ct);
        return list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? [.. items.EnumerateArray().Select(Existing)] : [];
    }

    private async Task<BindOutcome> ApplyAsync(string @namespace, string credentialSpec, BindAction action, DryRun dryRun, CancellationToken ct)
    {
        var serverDryRun = dryRun == DryRun.Server ? "All" : null;
        switch (action)
        {
            case BindAction.Refuse refuse:
                throw new BindRefusedException($"error: {refuse.Message}");
            case BindAction.Extend { Added.Count: 0 } unchanged:
                return new BindOutcome(unchanged.Binding.Name, "unchanged", []);
            case BindAction.Create create when dryRun == DryRun.Client:
                return new BindOutcome(create.Name, "created", []);
            case BindAction.Extend extend when dryRun == DryRun.Client:
                return new BindOutcome(extend.Binding.Name, "patched", []);
            case BindAction.Create create:
            {
                var body = new JsonObject
                {
                    ["apiVersion"] = $"{GmsaBinding.ApiGroup}/{GmsaBinding.Version}",
                    ["kind"] = GmsaBinding.EntityKind,
                    ["metadata"] = new JsonObject { ["name"] = create.Name, ["namespace"] = @namespace },
                    ["spec"] = new JsonObject { ["credentialSpecName"] = credentialSpec, ["serviceAccounts"] = Array(create.ServiceAccounts) },
                };
                using var response = await client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                    body, GmsaBinding.ApiGroup, GmsaBinding.Version, @namespace, GmsaBinding.Plural,
                    dryRun: serverDryRun, fieldManager: FieldManager, cancellationToken: ct);
                return new BindOutcome(create.Name, "created", Warnings(response.Response));
            }
            case BindAction.Extend extend:
            {
                var body = new JsonObject
                {
                    // A precondition: the API server answers 409 when the binding changed since it was read.
                    ["metadata"] = new JsonObject { ["resourceVersion"] = extend.Binding.ResourceVersion },
                    ["spec"] = new JsonObject { ["serviceAccounts"] = Array(extend.ServiceAccounts) },
                };
                using var response = await client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                    new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch), GmsaBinding.ApiGroup, GmsaBinding.Version, @namespace,
                    GmsaBinding.Plural, extend.Binding.Name, dryRun: serverDryRun, fieldManager: FieldManager, cancellationToken: ct);
                return new BindOutcome(extend.Binding.Name, "patched", Warnings(response.Response));
            }
            default:
                throw new InvalidOperationException($"unknown bind action {action}");
        }
    }

    // The JsonNode overload: the generic Add<T> a collection expression would pick needs runtime code under NativeAOT.
    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static IReadOnlyList<string> Warnings(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Warning", out var values) ? ApiServerMessages.Warnings(values) : [];

    private static ExistingBinding Existing(JsonElement item)
    {
        var metadata = item.GetProperty("metadata");
        var spec = item.TryGetProperty("spec", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        string? Text(JsonElement e, string key) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var accounts = spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("serviceAccounts", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList()
            : [];
        return new ExistingBinding(Text(metadata, "name") ?? "", Text(spec, "credentialSpecName") ?? "", accounts, Text(metadata, "resourceVersion"));
    }
}
