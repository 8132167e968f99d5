using GmsaOperator.Operator.Cli.Plugin;

namespace GmsaOperator.Tests.Cli.Plugin;

public sealed class PluginInvocationTests
{
    [TestCase("kubectl-gmsa")]
    [TestCase("/usr/local/bin/kubectl-gmsa")]
    [TestCase("./kubectl-gmsa")]
    [TestCase(@"C:\tools\kubectl-gmsa.exe")]
    public void IsPluginName_ThePluginsFileName_IsThePlugin(string invokedAs) =>
        Assert.That(PluginInvocation.IsPluginName(invokedAs), Is.True);

    [TestCase("gmsa-operator")]
    [TestCase("/app/gmsa-operator")]
    [TestCase("/src/Operator/bin/Debug/net10.0/gmsa-operator.dll")]
    [TestCase("dotnet")]
    [TestCase("kubectl-gmsa-extra")]
    [TestCase("/usr/local/bin/kubectl-gmsa/gmsa-operator")]
    [TestCase("")]
    [TestCase(null)]
    public void IsPluginName_AnyOtherName_IsTheOperatorCommandLine(string? invokedAs) =>
        Assert.That(PluginInvocation.IsPluginName(invokedAs), Is.False);

    [Test]
    public void IsPlugin_ApphostThroughASymlink_IsDetectedFromTheExecutedName()
    {
        // What a framework-dependent apphost reports when run as ~/bin/kubectl-gmsa -> .../gmsa-operator:
        // the executed name (/proc/self/cmdline), the entry dll (argument 0) and the resolved executable.
        string?[] apphostViaSymlink = ["/home/me/bin/kubectl-gmsa", "/opt/gmsa/gmsa-operator.dll", "/opt/gmsa/gmsa-operator"];
        string?[] plainRun = ["/opt/gmsa/gmsa-operator", "/opt/gmsa/gmsa-operator.dll", "/opt/gmsa/gmsa-operator"];
        string?[] dotnetRun = ["dotnet", "/opt/gmsa/gmsa-operator.dll", "/usr/share/dotnet/dotnet"];

        Assert.Multiple(() =>
        {
            Assert.That(PluginInvocation.IsPlugin(apphostViaSymlink), Is.True);
            Assert.That(PluginInvocation.IsPlugin(plainRun), Is.False);
            Assert.That(PluginInvocation.IsPlugin(dotnetRun), Is.False);
        });
    }

    [Test]
    public void CandidateNames_OfThisProcess_StartWithTheExecutedName()
    {
        var executed = File.ReadAllText("/proc/self/cmdline").Split('\0')[0];
        Assert.That(PluginInvocation.CandidateNames().First(), Is.EqualTo(executed));
    }
}
