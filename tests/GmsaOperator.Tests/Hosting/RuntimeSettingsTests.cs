using System.Text.Json;
using System.Xml.Linq;

namespace GmsaOperator.Tests.Hosting;

/// <summary>
/// The runtime settings the operator's project asks for reach its runtime configuration (the same items are baked into
/// the NativeAOT executable): a misspelt MSBuild property is silently ignored, and the Web SDK's default is server GC.
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "gmsa-operator.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Test]
    public void Gc_IsWorkstation_NonConcurrent_ConservingMemory()
    {
        var properties = ConfigProperties();
        Assert.Multiple(() =>
        {
            Assert.That(properties.GetProperty("System.GC.Server").GetBoolean(), Is.False, "a heap per core is not what a small operator wants");
            Assert.That(properties.GetProperty("System.GC.Concurrent").GetBoolean(), Is.False);
            Assert.That(properties.GetProperty("System.GC.ConserveMemory").GetInt32(), Is.EqualTo(5));
        });
    }

    [Test]
    public void ThreadPoolWorkers_DoNotSpinWhileIdle()
    {
        Assert.That(ConfigProperties().GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32(), Is.Zero);
    }

    /// <summary>The GC settings only the NativeAOT executable takes (from its build), read from the project itself.</summary>
    private static IReadOnlyDictionary<string, string> NativeAotRuntimeOptions()
    {
        const string prefix = "--runtimeopt:";
        return XDocument.Load(Path.Combine(RepositoryRoot.Path, "src", "Operator", "GmsaOperator.Operator.csproj"))
            .Descendants("IlcArg").Select(e => (string?)e.Attribute("Include") ?? "")
            .Where(arg => arg.StartsWith(prefix, StringComparison.Ordinal))
            .Select(arg => arg[prefix.Length..].Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
    }

    [Test]
    public void NativeAot_FixedGen0Budget()
    {
        var options = NativeAotRuntimeOptions();
        Assert.Multiple(() =>
        {
            // Hex, as the runtime reads them: 16 MiB of gen0 whatever the host CPU's cache size, and no growth past it.
            Assert.That(options.GetValueOrDefault("GCgen0size"), Is.EqualTo("1000000"));
            Assert.That(options.GetValueOrDefault("GCGen0MaxBudget"), Is.EqualTo("1000000"));
        });
    }

    /// <summary>
    /// NativeAOT looks its settings up by the collector's own names, case-sensitively, and ignores any other without a
    /// word: each one the executable carries must be a name the collector reports.
    /// </summary>
    [Test]
    public void NativeAot_GcSettings_AreSpeltAsTheCollectorNamesThem()
    {
        var names = GC.GetConfigurationVariables().Keys.ToHashSet(StringComparer.Ordinal);
        // Read by the collector (gcconfig.h) but not among the settings it reports.
        names.Add("GCgen0size");
        var settings = NativeAotRuntimeOptions().Keys.Where(key => key.StartsWith("GC", StringComparison.Ordinal)).ToList();

        Assert.That(settings, Is.Not.Empty);
        Assert.That(settings.Where(key => !names.Contains(key)), Is.Empty,
            $"the collector's names: {string.Join(", ", names.Order(StringComparer.Ordinal))}");
    }
}
