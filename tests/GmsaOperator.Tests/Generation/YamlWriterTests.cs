using System.Text.Json.Nodes;
using GmsaOperator.Operator.Generation;
using k8s;
using k8s.Models;

namespace GmsaOperator.Tests.Generation;

/// <summary>YAML output keeps every value's type and round-trips through a YAML reader.</summary>
public sealed class YamlWriterTests
{
    [TestCase("true")]
    [TestCase("no")]
    [TestCase("null")]
    [TestCase("")]
    [TestCase("123")]
    [TestCase("1e3")]
    [TestCase("0x1F")]
    [TestCase("244818ae-87ac-4fcd-92ec-e79e5252348a")]
    [TestCase("a: b")]
    [TestCase("- x")]
    [TestCase("#comment")]
    [TestCase("line1\nline2")]
    [TestCase("{\"json\": true}")]
    public void StringsStayStrings(string value)
    {
        var yaml = YamlWriter.Write(new JsonObject { ["key"] = value });
        var read = KubernetesYaml.Deserialize<Dictionary<string, object>>(yaml);
        Assert.That(read["key"], Is.EqualTo(value), yaml);
    }

    [Test]
    public void ModelsAreWrittenInWireFormWithoutNulls()
    {
        var yaml = YamlWriter.Write(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = "x" },
            Data = new Dictionary<string, string> { ["enabled"] = "true" },
        });
        Assert.That(yaml, Is.EqualTo("apiVersion: v1\ndata:\n  enabled: \"true\"\nkind: ConfigMap\nmetadata:\n  name: x\n"));
    }

    [Test]
    public void EmptyCollectionsAreFlowStyle()
    {
        Assert.That(YamlWriter.Write(new JsonObject { ["a"] = new JsonObject(), ["b"] = new JsonArray() }), Is.EqualTo("a: {}\nb: []\n"));
    }
}
