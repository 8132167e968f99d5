using System.Text.Json;
using GmsaOperator.Webhooks.Authorization;
using GmsaOperator.Webhooks.CredentialSpecs;
using GmsaOperator.Webhooks.Json;

namespace GmsaOperator.Tests.Webhooks;

/// <summary>In-memory credspec store; a name mapped to null simulates an API failure.</summary>
internal sealed class FakeCredentialSpecs : ICredentialSpecSource
{
    public Dictionary<string, string?> Objects { get; } = new();
    public int Calls { get; private set; }

    public FakeCredentialSpecs With(string name, string credspecJson)
    {
        Objects[name] = $$"""{"apiVersion":"windows.k8s.io/v1","kind":"GMSACredentialSpec","metadata":{"name":"{{name}}"},"credspec":{{credspecJson}}}""";
        return this;
    }

    public ValueTask<JsonElement?> GetAsync(string name, CancellationToken cancellationToken)
    {
        Calls++;
        if (!Objects.TryGetValue(name, out var json)) return ValueTask.FromResult<JsonElement?>(null);
        if (json is null) throw new CredentialSpecLookupException("connection refused");
        return ValueTask.FromResult<JsonElement?>(JsonDocument.Parse(json).RootElement.Clone());
    }
}

/// <summary>Allows exactly the (user, credspec) pairs it is told; records every question.</summary>
internal sealed class FakeReviewer : IAccessReviewer
{
    public HashSet<(string User, string Name)> Allowed { get; } = new();
    public List<(AccessSubject Subject, string Namespace, string Name)> Calls { get; } = new();
    public string DenyReason { get; set; } = "";

    public ValueTask<AccessDecision> CanUseCredentialSpecAsync(AccessSubject subject, string @namespace, string credentialSpecName, CancellationToken cancellationToken)
    {
        Calls.Add((subject, @namespace, credentialSpecName));
        var allowed = Allowed.Contains((subject.User, credentialSpecName));
        return ValueTask.FromResult(new AccessDecision(allowed, allowed ? "" : DenyReason));
    }
}

internal static class Requests
{
    public const string WebApp1 = """{"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"Sid":"S-1-5-21-2126449477-2524075714-3094792973","MachineAccountName":"WebApp1","Guid":"244818ae-87ac-4fcd-92ec-e79e5252348a","DnsTreeName":"contoso.com","DnsName":"contoso.com","NetBiosName":"CONTOSO"},"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Scope":"CONTOSO","Name":"WebApp1"},{"Scope":"contoso.com","Name":"WebApp1"}]}}""";

    public const string WebApp1Canonical = """{"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":[{"Name":"WebApp1","Scope":"CONTOSO"},{"Name":"WebApp1","Scope":"contoso.com"}]},"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"DnsName":"contoso.com","DnsTreeName":"contoso.com","Guid":"244818ae-87ac-4fcd-92ec-e79e5252348a","MachineAccountName":"WebApp1","NetBiosName":"CONTOSO","Sid":"S-1-5-21-2126449477-2524075714-3094792973"}}""";

    public static AdmissionRequest Of(string kind, string operation, string objectJson, string? oldObjectJson = null, string ns = "ns1", string? subResource = null) => new()
    {
        Uid = "uid-1",
        Kind = new GroupVersionKind { Group = "", Version = "v1", Kind = kind },
        Operation = operation,
        Namespace = ns,
        SubResource = subResource,
        Object = JsonDocument.Parse(objectJson).RootElement.Clone(),
        OldObject = oldObjectJson is null ? null : JsonDocument.Parse(oldObjectJson).RootElement.Clone(),
    };

    public static AdmissionRequest Pod(string operation, string podJson, string? oldPodJson = null, string? subResource = null) =>
        Of("Pod", operation, podJson, oldPodJson, subResource: subResource);

    /// <summary>A pod JSON with optional pod-level and per-container windowsOptions (JSON fragments or null).</summary>
    public static string PodJson(string? podOptions = null, string?[]? containers = null, string?[]? initContainers = null, string?[]? ephemeral = null,
        string serviceAccount = "web-sa", string? hostname = null, string image = "iis:1")
    {
        static string Containers(string prefix, string?[]? options, string image) => options is null ? "[]" :
            "[" + string.Join(",", options.Select((o, i) => $$"""{"name":"{{prefix}}{{i}}","image":"{{image}}"{{(o is null ? "" : $$""","securityContext":{"windowsOptions":{{o}}}""")}}}""")) + "]";
        var hostnameField = hostname is null ? "" : $",\"hostname\":\"{hostname}\"";
        var podSecurity = podOptions is null ? "" : $",\"securityContext\":{{\"windowsOptions\":{podOptions}}}";
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":\"ns1\"},"
               + $"\"spec\":{{\"serviceAccountName\":\"{serviceAccount}\"{hostnameField}{podSecurity},"
               + $"\"containers\":{Containers("c", containers ?? [null], image)},"
               + $"\"initContainers\":{Containers("i", initContainers, image)},"
               + $"\"ephemeralContainers\":{Containers("e", ephemeral, image)}}}}}";
    }

    public static string Name(string name) => $$"""{"gmsaCredentialSpecName":"{{name}}"}""";

    public static string NameAndContents(string name, string contents) =>
        $$"""{"gmsaCredentialSpecName":"{{name}}","gmsaCredentialSpec":{{JsonSerializer.Serialize(contents)}}}""";

    public static string Contents(string contents) => $$"""{"gmsaCredentialSpec":{{JsonSerializer.Serialize(contents)}}}""";
}
