using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Entities.Serialization;
using GmsaOperator.Operator.Generation;
using GmsaOperator.TestSupport;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Serialization;

/// <summary>
/// Our source-generated metadata (all the operator serialises with) must produce exactly the JSON of KubernetesClient's
/// own resolvers (its all-models context, then reflection), and read it back.
/// </summary>
public sealed class EntityJsonTests
{
    private static JsonSerializerOptions Global()
    {
        JsonSerializerOptions? global = null;
        KubernetesJson.AddJsonOptions(o => global = o); // read only: copies the converters and naming policy
        return global!;
    }

    private static JsonSerializerOptions SourceGeneratedOnly()
    {
        var options = new JsonSerializerOptions(Global());
        EntityJson.Replace(options.TypeInfoResolverChain);
        return options;
    }

    /// <summary>What KubernetesClient serialises with when nothing replaces its resolvers.</summary>
    private static JsonSerializerOptions KubernetesClientDefault()
    {
        var options = new JsonSerializerOptions(Global());
        options.TypeInfoResolverChain.Clear();
        options.TypeInfoResolverChain.Add(SourceGenerationContext.Default);
        options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
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
        var expected = KubernetesJson.Serialize(Binding(), KubernetesClientDefault());
        var actual = KubernetesJson.Serialize(Binding(), options);
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(KubernetesJson.Serialize(KubernetesJson.Deserialize<GmsaBinding>(actual, options), options), Is.EqualTo(expected));
    }

    [Test]
    public void GmsaCredentialSpec_SourceGeneratedJsonEqualsReflectionJson()
    {
        var options = SourceGeneratedOnly();
        var spec = SampleManifests.CredentialSpec();
        var expected = KubernetesJson.Serialize(spec, KubernetesClientDefault());
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
    public void KubernetesModels_RoundTripWithSourceGeneratedMetadataOnly()
    {
        var options = SourceGeneratedOnly();
        var reference = KubernetesClientDefault();
        object[] samples =
        [
            new V1Pod { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", CreationTimestamp = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc) },
                Spec = new V1PodSpec { ServiceAccountName = "web", Containers = [new V1Container { Name = "c", Image = "i", Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } } }],
                    SecurityContext = new V1PodSecurityContext { WindowsOptions = new V1WindowsSecurityContextOptions { GmsaCredentialSpecName = "gmsa-webapp1" } } } },
            new V1Lease { Metadata = new V1ObjectMeta { Name = "l" }, Spec = new V1LeaseSpec { HolderIdentity = "h", LeaseDurationSeconds = 15, RenewTime = new DateTime(2026, 1, 2, 3, 4, 5, 123, DateTimeKind.Utc) } },
            new V1LocalSubjectAccessReview { Spec = new V1SubjectAccessReviewSpec { User = "u", ResourceAttributes = new V1ResourceAttributes { Verb = "use", Name = "n" } } },
            new Eventsv1Event { Metadata = new V1ObjectMeta { Name = "e" }, EventTime = new DateTime(2026, 1, 2, 3, 4, 5, 120, DateTimeKind.Utc), Reason = "R", Regarding = new V1ObjectReference { Kind = "Pod", Name = "p" } },
        ];
        foreach (var sample in samples)
        {
            var expected = KubernetesJson.Serialize(sample, reference);
            var actual = KubernetesJson.Serialize(sample, options);
            Assert.That(actual, Is.EqualTo(expected), sample.GetType().Name);
            var back = JsonSerializer.Deserialize(actual, options.GetTypeInfo(sample.GetType()));
            Assert.That(KubernetesJson.Serialize(back!, options), Is.EqualTo(expected), sample.GetType().Name);
        }
        // KubernetesClient reads a Status but does not write one.
        var status = KubernetesJson.Deserialize<V1Status>("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"AlreadyExists","code":409}""", options);
        Assert.That((status.Reason, status.Code), Is.EqualTo(("AlreadyExists", (int?)409)));
    }

    [Test]
    public void UncoveredModel_FailsNamingTheType()
    {
        var options = SourceGeneratedOnly();
        var error = Assert.Throws<NotSupportedException>(() => KubernetesJson.Serialize(new V1ConfigMap { Data = new Dictionary<string, string> { ["k"] = "v" } }, options));
        Assert.That(error!.Message, Does.Contain(nameof(V1ConfigMap)));
    }

    [Test]
    public void Replace_LeavesOnlyOurResolvers()
    {
        IList<IJsonTypeInfoResolver> chain = [SourceGenerationContext.Default, new DefaultJsonTypeInfoResolver()];
        EntityJson.Replace(chain, TestModelJsonContext.Default);
        Assert.That(chain, Is.EqualTo(new IJsonTypeInfoResolver[]
            { EntityJsonContext.Default, KubernetesModelJsonContext.Default, WatchEventJsonContext.Default, TestModelJsonContext.Default }));
    }
}
