using System.Text.Json.Nodes;
using GmsaOperator.Entities;
using GmsaOperator.Entities.Bindings;
using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Entities.Generation;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Generation;

/// <summary>The CRDs generated from the entity types.</summary>
public sealed class CrdGeneratorTests
{
    private static V1CustomResourceDefinition Upstream() =>
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Resources", "upstream-gmsacredentialspecs-crd.yaml")));

    private static JsonNode? Json(object? model) => JsonNode.Parse(KubernetesJson.Serialize(model));

    [Test]
    public void CredentialSpecSchemaIsExactlyUpstreamsAtEveryVersion()
    {
        var upstream = Upstream();
        var ours = CrdGenerator.Generate(typeof(GmsaCredentialSpec));

        Assert.That(ours.Metadata.Name, Is.EqualTo(upstream.Metadata.Name));
        Assert.That(ours.Metadata.Annotations, Is.EqualTo(upstream.Metadata.Annotations));
        Assert.That(ours.Spec.Group, Is.EqualTo(upstream.Spec.Group));
        Assert.That(ours.Spec.Scope, Is.EqualTo("Cluster"));
        Assert.That(ours.Spec.Names.Kind, Is.EqualTo(upstream.Spec.Names.Kind));
        Assert.That(ours.Spec.Names.Plural, Is.EqualTo(upstream.Spec.Names.Plural));
        Assert.That(ours.Spec.Conversion.Strategy, Is.EqualTo("None"));
        foreach (var version in upstream.Spec.Versions)
        {
            var mine = ours.Spec.Versions.Single(v => v.Name == version.Name);
            Assert.That((mine.Served, mine.Storage, mine.Deprecated ?? false), Is.EqualTo((version.Served, version.Storage, version.Deprecated ?? false)), version.Name);
            Assert.That(JsonNode.DeepEquals(Json(mine.Schema), Json(version.Schema)), Is.True,
                $"{version.Name} schema differs:\nours     {Json(mine.Schema)}\nupstream {Json(version.Schema)}");
        }
        Assert.That(ours.Spec.Versions.Select(v => v.Name), Is.EquivalentTo(upstream.Spec.Versions.Select(v => v.Name)));
    }

    [Test]
    public void CredentialSpecAddsOnlyPrinterColumns()
    {
        var version = CrdGenerator.Generate(typeof(GmsaCredentialSpec)).Spec.Versions.Single(v => v.Storage);
        Assert.That(version.AdditionalPrinterColumns.Select(c => (c.Name, c.JsonPath)), Is.EqualTo(new[]
        {
            ("Account", ".credspec.DomainJoinConfig.MachineAccountName"),
            ("Domain", ".credspec.DomainJoinConfig.DnsName"),
            ("Age", ".metadata.creationTimestamp"),
        }));
        Assert.That(version.Subresources, Is.Null);
    }

    [Test]
    public void GmsaBindingIsNamespacedWithShortNameStatusAndPrinterColumns()
    {
        var crd = CrdGenerator.Generate(typeof(GmsaBinding));
        Assert.That(crd.Metadata.Name, Is.EqualTo("gmsabindings.gmsa.dev"));
        Assert.That(crd.Spec.Scope, Is.EqualTo("Namespaced"));
        Assert.That(crd.Spec.Names.ShortNames, Is.EqualTo(new[] { "gmsab" }));
        var version = crd.Spec.Versions.Single();
        Assert.That((version.Name, version.Served, version.Storage), Is.EqualTo(("v1alpha1", true, true)));
        Assert.That(version.Subresources.Status, Is.Not.Null);
        Assert.That(version.AdditionalPrinterColumns.Select(c => c.Name.ToUpperInvariant()),
            Is.EqualTo(new[] { "CREDENTIALSPEC", "SERVICEACCOUNTS", "READY", "REASON", "STALEPODS", "AGE" }));
        Assert.That(version.AdditionalPrinterColumns.Single(c => c.Name == "Ready").JsonPath, Is.EqualTo(".status.conditions[?(@.type==\"Ready\")].status"));
    }

    [Test]
    public void GmsaBindingSpecSchemaCarriesTheValidation()
    {
        var root = CrdGenerator.Generate(typeof(GmsaBinding)).Spec.Versions.Single().Schema.OpenAPIV3Schema;
        Assert.That(root.Required, Is.EqualTo(new[] { "spec" }));
        var spec = root.Properties["spec"];
        Assert.That(spec.Required, Is.EqualTo(new[] { "credentialSpecName", "serviceAccounts" }));
        Assert.That((spec.Properties["trackPods"].Type, spec.Properties["rolloutOnChange"].Type), Is.EqualTo(("boolean", "boolean")), "optional switches, off when absent");

        var name = spec.Properties["credentialSpecName"];
        Assert.That((name.Type, name.Pattern, name.MinLength, name.MaxLength), Is.EqualTo(("string", NamePatterns.Dns1123Subdomain, 1L, 253L)));

        var accounts = spec.Properties["serviceAccounts"];
        Assert.That((accounts.Type, accounts.MinItems, accounts.MaxItems, accounts.XKubernetesListType), Is.EqualTo(("array", 1L, 256L, "set")));
        var item = (V1JSONSchemaProps)accounts.Items;
        Assert.That((item.Type, item.Pattern, item.MaxLength), Is.EqualTo(("string", NamePatterns.Dns1123Subdomain, 253L)));
    }

    [Test]
    public void SecureChannelRepairIsOptional_WithDefaultsAndBounds()
    {
        var spec = CrdGenerator.Generate(typeof(GmsaBinding)).Spec.Versions.Single().Schema.OpenAPIV3Schema.Properties["spec"];
        var repair = spec.Properties["secureChannelRepair"];
        Assert.That((repair.Type, repair.Required), Is.EqualTo(("object", (IList<string>?)null)));
        var enabled = repair.Properties["enabled"];
        Assert.That((enabled.Type, enabled.DefaultProperty), Is.EqualTo(("boolean", (object)false)));
        var attempts = repair.Properties["maxAttempts"];
        Assert.That((attempts.Type, attempts.DefaultProperty, attempts.Minimum, attempts.Maximum), Is.EqualTo(("integer", (object)10, 1d, 60d)));
        var interval = repair.Properties["intervalSeconds"];
        Assert.That((interval.Type, interval.DefaultProperty, interval.Minimum, interval.Maximum), Is.EqualTo(("integer", (object)6, 1d, 60d)));
        Assert.That(new SecureChannelRepairSpec().MaxAttempts, Is.EqualTo(attempts.DefaultProperty), "objects read without the defaults mean the same");
        Assert.That(new SecureChannelRepairSpec().IntervalSeconds, Is.EqualTo(interval.DefaultProperty));
    }

    [Test]
    public void GmsaBindingConditionsAreTheStandardConditionShapeKeyedByType()
    {
        var status = CrdGenerator.Generate(typeof(GmsaBinding)).Spec.Versions.Single().Schema.OpenAPIV3Schema.Properties["status"];
        Assert.That(status.Properties.Keys, Is.EqualTo(new[] { "clusterRoleName", "conditions", "observedGeneration", "roleBindingName", "stalePods" }));
        var conditions = status.Properties["conditions"];
        Assert.That((conditions.XKubernetesListType, conditions.XKubernetesListMapKeys), Is.EqualTo(("map", new[] { "type" })));
        var condition = (V1JSONSchemaProps)conditions.Items;
        Assert.That(condition.Required, Is.EqualTo(new[] { "lastTransitionTime", "message", "reason", "status", "type" }));
        Assert.That(condition.Properties.Keys, Is.EquivalentTo(new[] { "lastTransitionTime", "message", "observedGeneration", "reason", "status", "type" }));
        Assert.That(condition.Properties["status"].EnumProperty, Is.EqualTo(new[] { "True", "False", "Unknown" }));
        Assert.That(condition.Properties["lastTransitionTime"].Format, Is.EqualTo("date-time"));
    }

    [Test]
    public void AllReturnsFreshObjectsForBothEntities()
    {
        var first = CustomResourceDefinitions.All();
        Assert.That(first.Select(c => c.Metadata.Name), Is.EqualTo(new[] { "gmsacredentialspecs.windows.k8s.io", "gmsabindings.gmsa.dev" }));
        first[0].Metadata.ResourceVersion = "42";
        Assert.That(CustomResourceDefinitions.All()[0].Metadata.ResourceVersion, Is.Null);
    }

    [Test]
    public void PropertiesWithoutWireNamesAreRefused()
    {
        var e = Assert.Throws<NotSupportedException>(() => SchemaGenerator.ForEntity(typeof(Unnamed)));
        Assert.That(e!.Message, Does.Contain("Unnamed.Value"));
    }

    private sealed class Unnamed
    {
        public string? Value { get; set; }
    }
}
