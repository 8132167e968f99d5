using System.Net;
using System.Text.Json;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Reconcilers;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GmsaOperator.IntegrationTests.Reliability;

/// <summary>Many GmsaBindings in one namespace for one credspec, and the checks that none was lost or duplicated.</summary>
internal static class ReliabilityCluster
{
    private static IKubernetes Client => ControlPlaneSetup.Client;

    public static Task CreateCredSpecAsync(string name) =>
        Client.CustomObjects.CreateClusterCustomObjectAsync(new Dictionary<string, object>
        {
            ["apiVersion"] = "windows.k8s.io/v1",
            ["kind"] = "GMSACredentialSpec",
            ["metadata"] = new Dictionary<string, object> { ["name"] = name },
            ["credspec"] = new Dictionary<string, object> { ["CmsPlugins"] = new[] { "ActiveDirectory" }, ["DomainJoinConfig"] = new Dictionary<string, object> { ["MachineAccountName"] = "WebApp1" } },
        }, "windows.k8s.io", "v1", "gmsacredentialspecs");

    public static async Task DeleteCredSpecAsync(string name)
    {
        try
        {
            await Client.CustomObjects.DeleteClusterCustomObjectAsync("windows.k8s.io", "v1", "gmsacredentialspecs", name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    public static string BindingName(int i) => $"app-{i:D4}";

    /// <summary>Creates bindings <paramref name="from"/>..<paramref name="to"/>-1, 16 at a time; retries transient failures (the API may be down).</summary>
    public static Task CreateBindingsAsync(string ns, string credSpec, int from, int to, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(Enumerable.Range(from, to - from), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await Client.CustomObjects.CreateNamespacedCustomObjectAsync(new GmsaBinding
                    {
                        Metadata = new V1ObjectMeta { Name = BindingName(i), NamespaceProperty = ns },
                        Spec = new GmsaBindingSpec { CredentialSpecName = credSpec, ServiceAccounts = [BindingName(i)] },
                    }, GmsaBinding.ApiGroup, GmsaBinding.Version, ns, GmsaBinding.Plural, cancellationToken: ct);
                    return;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    return; // an earlier attempt got through
                }
                catch (Exception e) when (e is HttpRequestException or HttpOperationException or IOException && attempt < 60)
                {
                    await Task.Delay(500, ct);
                }
            }
        });

    /// <summary>Names of the bindings in <paramref name="ns"/> with Ready=True.</summary>
    public static async Task<HashSet<string>> ReadyAsync(string ns, CancellationToken cancellationToken)
    {
        var list = await Client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(GmsaBinding.ApiGroup, GmsaBinding.Version, ns, GmsaBinding.Plural, cancellationToken: cancellationToken);
        var ready = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.GetProperty("items").EnumerateArray())
        {
            if (!item.TryGetProperty("status", out var status) || !status.TryGetProperty("conditions", out var conditions)) continue;
            if (conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"))
            {
                ready.Add(item.GetProperty("metadata").GetProperty("name").GetString()!);
            }
        }
        return ready;
    }

    /// <summary>Waits until all <paramref name="count"/> bindings are Ready; returns the last observation.</summary>
    public static async Task WaitAllReadyAsync(string ns, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var ready = new HashSet<string>();
        try
        {
            while ((ready = await ReadyAsync(ns, cts.Token)).Count < count) await Task.Delay(250, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"only {ready.Count}/{count} GmsaBindings Ready within {timeout.TotalSeconds:0}s; missing e.g. " +
                string.Join(", ", Enumerable.Range(0, count).Select(BindingName).Where(n => !ready.Contains(n)).Take(5)));
        }
    }

    /// <summary>
    /// Nothing lost, nothing doubled, nothing orphaned: exactly one RoleBinding per binding, with the generated name,
    /// owned by exactly that binding (uid), binding exactly its service account.
    /// </summary>
    public static async Task AssertOneRoleBindingPerBindingAsync(string ns, int count)
    {
        var bindings = await Client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(GmsaBinding.ApiGroup, GmsaBinding.Version, ns, GmsaBinding.Plural);
        var uids = bindings.GetProperty("items").EnumerateArray().ToDictionary(
            b => b.GetProperty("metadata").GetProperty("name").GetString()!, b => b.GetProperty("metadata").GetProperty("uid").GetString()!);
        var roleBindings = (await Client.RbacAuthorizationV1.ListNamespacedRoleBindingAsync(ns)).Items;
        Assert.Multiple(() =>
        {
            Assert.That(uids, Has.Count.EqualTo(count), "GmsaBindings present");
            Assert.That(roleBindings, Has.Count.EqualTo(count), "exactly one RoleBinding per GmsaBinding (none doubled or orphaned)");
            foreach (var rb in roleBindings)
            {
                var owner = rb.Metadata.OwnerReferences?.SingleOrDefault(o => o.Kind == GmsaBinding.EntityKind);
                Assert.That(owner, Is.Not.Null, $"RoleBinding {rb.Metadata.Name} has a GmsaBinding owner");
                if (owner is null) continue;
                Assert.That(uids.TryGetValue(owner.Name, out var uid) && uid == owner.Uid, Is.True, $"RoleBinding {rb.Metadata.Name} is owned by a live GmsaBinding");
                Assert.That(rb.Metadata.Name, Is.EqualTo(GeneratedNames.RoleBindingFor(owner.Name)));
                Assert.That(rb.Subjects?.Select(s => s.Name), Is.EqualTo(new[] { owner.Name }), $"RoleBinding {rb.Metadata.Name} subjects");
            }
        });
    }
}
