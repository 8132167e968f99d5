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
        Spec = new GmsaBindingSpec { CredentialSpecName = "gmsa-webapp1", ServiceAccounts = ["default", "web"], SecureChannelRepair = new SecureChannelRepairSpec { Enabled = true, MaxAttempts = 3 } },
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
    public void WatchLine_ReadWithSourceGeneratedMetadataOnly()
    {
        var options = SourceGeneratedOnly();
        options.Converters.Insert(0, new System.Text.Json.Serialization.JsonStringEnumConverter<WatchEventType>());
        var line = "{\"type\":\"MODIFIED\",\"object\":" + KubernetesJson.Serialize(Binding()) + "}";

        var generic = KubernetesJson.Deserialize<Watcher<KubernetesObject>.WatchEvent>(line, options);
        var untyped = KubernetesJson.Deserialize<Watcher<object>.WatchEvent>(line, options);

        Assert.That(generic.Type, Is.EqualTo(WatchEventType.Modified));
        Assert.That(generic.Object.Kind, Is.EqualTo(GmsaBinding.EntityKind));
        Assert.That(untyped.Object, Is.TypeOf<JsonElement>());
        Assert.That(KubernetesJson.Deserialize<GmsaBinding>((JsonElement)untyped.Object, options).Spec.CredentialSpecName, Is.EqualTo("gmsa-webapp1"));
    }

    [Test]
    public void Insert_PutsTheContextBeforeTheReflectionFallback()
    {
        IList<IJsonTypeInfoResolver> chain = [SourceGenerationContext.Default, new DefaultJsonTypeInfoResolver()];
        EntityJson.Insert(chain);
        Assert.That(chain[1], Is.SameAs(EntityJsonContext.Default));
        Assert.That(chain[2], Is.SameAs(WatchEventJsonContext.Default));
        Assert.That(chain[3], Is.TypeOf<DefaultJsonTypeInfoResolver>());
    }
}
