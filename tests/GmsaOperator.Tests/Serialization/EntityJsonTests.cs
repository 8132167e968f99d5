using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Entities.Serialization;
using GmsaOperator.Operator.Generation;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Serialization;

/// <summary>
/// The source-generated entity metadata (what NativeAOT uses) must produce exactly the JSON of the reflection path
/// (what the JIT build has always used), and read it back.
/// </summary>
public sealed class EntityJsonTests
{
    private static JsonSerializerOptions SourceGeneratedOnly()
    {
        JsonSerializerOptions? global = null;
        KubernetesJson.AddJsonOptions(o => global = o); // read only: copies the converters and naming policy
        var options = new JsonSerializerOptions(global!);
        options.TypeInfoResolverChain.Clear();
        options.TypeInfoResolverChain.Add(SourceGenerationContext.Default);
        EntityJson.Insert(options.TypeInfoResolverChain);
        return options;
    }

    private static GmsaBinding Binding() => new()
    {
        Metadata = new V1ObjectMeta { Name = "b", NamespaceProperty = "ns", Labels = new Dictionary<string, string> { ["a"] = "b" }, CreationTimestamp = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc) },
        Spec = new GmsaBindingSpec { CredentialSpecName = "gmsa-webapp1", ServiceAccounts = ["default", "web"] },
        Status = new GmsaBindingStatus { ObservedGeneration = 3, Conditions = [new V1Condition { Type = "Ready", Status = "True", Reason = "Bound", Message = "m", LastTransitionTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc) }] },
    };

    [Test]
    public void GmsaBinding_SourceGeneratedJsonEqualsReflectionJson()
    {
        var options = SourceGeneratedOnly();
        var expected = KubernetesJson.Serialize(Binding());
        var actual = KubernetesJson.Serialize(Binding(), options);
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(KubernetesJson.Serialize(KubernetesJson.Deserialize<GmsaBinding>(actual, options), options), Is.EqualTo(expected));
    }

    [Test]
    public void GmsaCredentialSpec_SourceGeneratedJsonEqualsReflectionJson()
    {
        var options = SourceGeneratedOnly();
        var spec = SampleManifests.CredentialSpec();
        var expected = KubernetesJson.Serialize(spec);
        Assert.That(expected, Does.Contain("\"credspec\"").And.Contain("GroupManagedServiceAccounts"));
        var actual = KubernetesJson.Serialize(spec, options);
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(KubernetesJson.Serialize(KubernetesJson.Deserialize<GmsaCredentialSpec>(actual, options), options), Is.EqualTo(expected));
    }

    [Test]
    public void Insert_PutsTheContextBeforeTheReflectionFallback()
    {
        IList<IJsonTypeInfoResolver> chain = [SourceGenerationContext.Default, new DefaultJsonTypeInfoResolver()];
        EntityJson.Insert(chain);
        Assert.That(chain[1], Is.SameAs(EntityJsonContext.Default));
        Assert.That(chain[2], Is.TypeOf<DefaultJsonTypeInfoResolver>());
    }
}
