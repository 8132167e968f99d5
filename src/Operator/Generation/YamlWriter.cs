using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GmsaOperator.Operator.Generation;

/// <summary>
/// Writes Kubernetes objects as block-style YAML. Objects go through KubernetesJson first (wire names, nulls omitted,
/// byte[]/IntOrString/quantity converters), then the JSON tree is emitted with YamlDotNet, so the YAML is exactly the
/// wire form, in a stable key order, with strings quoted whenever YAML would read them as another type.
/// </summary>
public static partial class YamlWriter
{
    /// <summary>Serialises a model (or a <see cref="JsonNode"/>) to a YAML document ending in a newline.</summary>
    public static string Write(object model)
    {
        var node = model as JsonNode ?? JsonNode.Parse(KubernetesJson.Serialize(model))
            ?? throw new ArgumentException("The model serialises to null.", nameof(model));
        using var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, EmitterSettings.Default.WithBestWidth(int.MaxValue).WithNewLine("\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array) Emit(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                EmitString(emitter, value.GetValue<string>());
                break;
            case JsonValue value:
                // Numbers and booleans: their JSON text is also their YAML plain form.
                emitter.Emit(new Scalar(null, null, value.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string text)
    {
        var style = LooksLikeAnotherType(text) || text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: true, isQuotedImplicit: true));
    }

    /// <summary>Strings a YAML 1.1 or 1.2 reader would resolve to null, a boolean or a number must be quoted.</summary>
    private static bool LooksLikeAnotherType(string text) => text.Length == 0 || SpecialScalar().IsMatch(text);

    [GeneratedRegex(@"^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[-+]?[0-9][0-9_.:eExXoObBa-fA-F+-]*|[-+]?\.[0-9][0-9_eE+-]*)$")]
    private static partial Regex SpecialScalar();
}
