using k8s.Exceptions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GmsaOperator.Operator.Hosting;

/// <summary>
/// Merges the files of a multi-path <c>KUBECONFIG</c> the way kubectl does: a cluster, user or context defined by
/// several files comes from the first file that names it, and <c>current-context</c> from the first file that sets
/// it. Relative file references are made absolute against the directory of the file that holds them first, so the
/// merged document means what each file meant on its own.
/// </summary>
public static class KubeconfigMerger
{
    private static readonly string[] NamedLists = ["clusters", "users", "contexts"];

    /// <summary>Keys whose values are file paths, per entry kind.</summary>
    private static readonly Dictionary<string, string[]> FileKeys = new(StringComparer.Ordinal)
    {
        ["cluster"] = ["certificate-authority"],
        ["user"] = ["client-certificate", "client-key", "tokenFile"],
        ["context"] = [],
    };

    /// <summary>One kubeconfig file's text and the directory its relative paths are relative to.</summary>
    public sealed record Source(string Yaml, string BaseDirectory, string Description);

    /// <summary>The merged kubeconfig document (first definition wins), as YAML.</summary>
    public static string Merge(IReadOnlyList<Source> sources)
    {
        var lists = NamedLists.ToDictionary(k => k, _ => new YamlSequenceNode(), StringComparer.Ordinal);
        var seen = NamedLists.ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        string? currentContext = null;
        foreach (var source in sources)
        {
            if (Root(source) is not { } root) continue;
            currentContext ??= Scalar(root, "current-context");
            foreach (var listKey in NamedLists)
            {
                if (!root.Children.TryGetValue(new YamlScalarNode(listKey), out var list) || list is not YamlSequenceNode items) continue;
                var itemKey = listKey[..^1];
                foreach (var item in items.OfType<YamlMappingNode>())
                {
                    if (Scalar(item, "name") is not { } name || !seen[listKey].Add(name)) continue;
                    lists[listKey].Add(Absolutized(item, itemKey, source.BaseDirectory));
                }
            }
        }

        var merged = new YamlMappingNode { { "apiVersion", "v1" }, { "kind", "Config" } };
        foreach (var listKey in NamedLists) merged.Add(listKey, lists[listKey]);
        if (currentContext is not null) merged.Add("current-context", currentContext);
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(merged)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static YamlMappingNode? Root(Source source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(source.Yaml));
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"{source.Description} is not valid YAML: {e.Message}");
        }
        // An empty file is allowed in the list, as kubectl allows it.
        if (stream.Documents.Count == 0) return null;
        return stream.Documents[0].RootNode as YamlMappingNode ?? throw new KubeConfigException($"{source.Description} is not a kubeconfig mapping");
    }

    private static YamlMappingNode Absolutized(YamlMappingNode item, string itemKey, string baseDirectory)
    {
        if (!item.Children.TryGetValue(new YamlScalarNode(itemKey), out var bodyNode) || bodyNode is not YamlMappingNode body) return item;
        var copy = new YamlMappingNode();
        foreach (var (key, value) in body.Children)
        {
            var absolute = key is YamlScalarNode { Value: { } k } && FileKeys[itemKey].Contains(k) && value is YamlScalarNode { Value: { Length: > 0 } path }
                ? new YamlScalarNode(Path.GetFullPath(path, baseDirectory))
                : value;
            copy.Add(key, absolute);
        }
        var result = new YamlMappingNode();
        foreach (var (key, value) in item.Children) result.Add(key, ReferenceEquals(value, bodyNode) ? copy : value);
        return result;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value: { Length: > 0 } text } ? text : null;
}
