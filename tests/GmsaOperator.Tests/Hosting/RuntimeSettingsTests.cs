using System.Text.Json;

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
}
