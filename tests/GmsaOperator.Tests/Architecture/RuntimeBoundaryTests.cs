using System.Reflection;
using System.Runtime.CompilerServices;
using GmsaOperator.Runtime;

namespace GmsaOperator.Tests.Architecture;

/// <summary>
/// The runtime is generic: it knows nothing of GMSA, and GMSA code uses only its public surface. The project graph
/// makes the first true today; this keeps it true when someone adds a reference or an InternalsVisibleTo.
/// </summary>
public sealed class RuntimeBoundaryTests
{
    private static readonly Assembly Runtime = typeof(OperatorRuntimeOptions).Assembly;
    private static readonly string[] GmsaAssemblies = ["GmsaOperator.Entities", "GmsaOperator.Webhooks", "gmsa-operator"];

    [Test]
    public void Runtime_ReferencesNoGmsaAssembly()
    {
        var references = Runtime.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.That(references, Has.None.AnyOf(GmsaAssemblies), $"{Runtime.GetName().Name} references: {string.Join(", ", references)}");
        Assert.That(references, Has.None.StartsWith("GmsaOperator."), "the runtime stands alone");
    }

    [Test]
    public void RuntimeInternals_AreVisibleToTestsOnly()
    {
        var friends = Runtime.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();
        Assert.That(friends, Is.SubsetOf(new[] { "GmsaOperator.Tests", "GmsaOperator.IntegrationTests" }));
    }

    [Test]
    public void RuntimeTypes_NameNoGmsaConcept()
    {
        var offenders = Runtime.GetTypes()
            .Where(t => !t.IsDefined(typeof(CompilerGeneratedAttribute)))
            .Select(t => t.FullName!["GmsaOperator.".Length..])
            .Where(n => n.Contains("Gmsa", StringComparison.OrdinalIgnoreCase) || n.Contains("CredentialSpec", StringComparison.OrdinalIgnoreCase)
                || n.Contains("Webhook", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.That(offenders, Is.Empty);
    }
}
