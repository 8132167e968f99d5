using GmsaOperator.LocalControlPlane;

namespace GmsaOperator.IntegrationTests;

/// <summary>Start-up failures of the local control plane say what happened and leave no process behind.</summary>
public sealed class ControlPlaneFailureTests
{
    [Test]
    public void ApiServerNotReadyInTime_SaysSoWithLogTail_AndStopsEverything()
    {
        var dir = Directory.CreateTempSubdirectory("cp-timeout").FullName;
        try
        {
            var options = new LocalControlPlaneOptions { Directory = dir, ReadyTimeout = TimeSpan.FromMilliseconds(300), Progress = TextWriter.Null };

            var error = Assert.ThrowsAsync<ControlPlaneException>(() => LocalControlPlane.LocalControlPlane.StartAsync(options, CancellationToken.None));

            Assert.That(error!.Message, Does.StartWith("kube-apiserver did not become ready within"));
            Assert.That(error.Message, Does.Contain("last lines:"));
            Assert.That(error.Message, Does.Contain(Path.Combine(dir, "kube-apiserver.log")));
            var leftovers = Directory.GetDirectories("/proc")
                .Select(p => Path.Combine(p, "cmdline"))
                .Where(File.Exists)
                .Select(f => { try { return File.ReadAllText(f); } catch (IOException) { return ""; } })
                .Count(cmd => cmd.Contains(dir, StringComparison.Ordinal));
            Assert.That(leftovers, Is.Zero, "etcd and kube-apiserver must be stopped after a failed start");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
