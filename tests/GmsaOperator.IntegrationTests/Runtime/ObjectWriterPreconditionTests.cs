using System.Net;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Writes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace GmsaOperator.IntegrationTests.Runtime;

/// <summary>Writes pinned to the object they were decided on: a changed or replaced object is never written or deleted.</summary>
public sealed class ObjectWriterPreconditionTests : IntegrationTest
{
    private static V1ConfigMap Desired(string ns) =>
        new() { ApiVersion = "v1", Kind = "ConfigMap", Metadata = new V1ObjectMeta { Name = "cm", NamespaceProperty = ns }, Data = new Dictionary<string, string> { ["k"] = "ours" } };

    [Test]
    public async Task ApplyAndDelete_OntoTheObjectJudged_Succeed()
    {
        using var host = RuntimeHost.Build(Namespace, "precondition-test");
        var writer = host.Services.GetRequiredService<IObjectWriter>();
        var judged = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, Namespace);

        var applied = await writer.ApplyAsync(Desired(Namespace), Pin(judged), CancellationToken.None);
        Assert.That(applied.Data["k"], Is.EqualTo("ours"));

        Assert.That(await writer.DeleteAsync<V1ConfigMap>(new ObjectKey(Namespace, "cm"), Pin(applied), CancellationToken.None), Is.True);
    }

    [Test]
    public async Task ApplyAndDelete_AfterTheObjectChangedOrWasReplaced_Conflict_AndLeaveItAlone()
    {
        using var host = RuntimeHost.Build(Namespace, "precondition-test");
        var writer = host.Services.GetRequiredService<IObjectWriter>();
        var judged = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, Namespace);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", Namespace);
        var replacement = await Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" }, Data = new Dictionary<string, string> { ["k"] = "theirs" } }, Namespace);

        var apply = Assert.ThrowsAsync<HttpOperationException>(() => writer.ApplyAsync(Desired(Namespace), Pin(judged), CancellationToken.None));
        Assert.That(apply!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var delete = Assert.ThrowsAsync<HttpOperationException>(() => writer.DeleteAsync<V1ConfigMap>(new ObjectKey(Namespace, "cm"), Pin(judged), CancellationToken.None));
        Assert.That(delete!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));

        // Same object, but changed since it was judged.
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"changed"}}""", V1Patch.PatchType.MergePatch), "cm", Namespace);
        Assert.ThrowsAsync<HttpOperationException>(() => writer.ApplyAsync(Desired(Namespace), Pin(replacement), CancellationToken.None));
        Assert.ThrowsAsync<HttpOperationException>(() => writer.DeleteAsync<V1ConfigMap>(new ObjectKey(Namespace, "cm"), Pin(replacement), CancellationToken.None));

        Assert.That((await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", Namespace)).Data["k"], Is.EqualTo("changed"), "never written, never deleted");
    }

    private static Precondition Pin(V1ConfigMap judged) => new(judged.Metadata.Uid, judged.Metadata.ResourceVersion);
}
