using GmsaOperator.Operator.Hosting;

namespace GmsaOperator.Tests.Architecture;

/// <summary>The shipped executable (and so the image) carries no local control plane: no build script, no node plumbing, no code.</summary>
public sealed class ShippedExecutableTests
{
    private static readonly System.Reflection.Assembly Shipped = typeof(OperatorHost).Assembly;

    [Test]
    public void EmbedsNoScript()
    {
        Assert.That(Shipped.GetName().Name, Is.EqualTo("gmsa-operator"));
        Assert.That(Shipped.GetManifestResourceNames(), Has.None.EndsWith(".sh"));
    }

    [Test]
    public void ReferencesNeitherTheControlPlaneNorTheDevelopmentHost()
    {
        var references = Shipped.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.That(references, Has.None.AnyOf("GmsaOperator.LocalControlPlane", "gmsa-operator-dev"), string.Join(", ", references));
        Assert.That(Shipped.GetTypes().Select(t => t.Namespace ?? ""), Has.None.Contains("LocalControlPlane").And.None.Contains("DevCluster"));
    }
}
