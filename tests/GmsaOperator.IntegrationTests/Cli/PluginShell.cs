using System.Diagnostics;
using GmsaOperator.IntegrationTests.Config;

namespace GmsaOperator.IntegrationTests.Cli;

/// <summary>
/// A directory on PATH holding <c>kubectl-gmsa</c> as <c>make install-plugin</c> puts it there (a symlink to the built
/// <c>gmsa-operator</c>), and real kubectl run with that PATH and a given KUBECONFIG, like a user's shell.
/// </summary>
internal sealed class PluginShell : IDisposable
{
    private PluginShell(string directory) => Directory = directory;

    /// <summary>The PREFIX the plugin was installed into.</summary>
    public string Directory { get; }

    public string PluginPath => Path.Combine(Directory, "kubectl-gmsa");

    /// <summary>Runs <c>make install-plugin</c> with a temporary PREFIX, linking the gmsa-operator these tests were built with.</summary>
    public static async Task<PluginShell> InstallAsync()
    {
        var shell = new PluginShell(System.IO.Directory.CreateTempSubdirectory("kubectl-plugin").FullName);
        var make = await RunAsync("make", ["-s", "-C", RepositoryRoot.Path, "install-plugin", $"PREFIX={shell.Directory}",
            $"PLUGIN_TARGET={Path.Combine(AppContext.BaseDirectory, "gmsa-operator")}"], new Dictionary<string, string?>());
        Assert.That(make.ExitCode, Is.Zero, $"make install-plugin\n{make}");
        return shell;
    }

    /// <summary>kubectl with the plugin directory first on PATH and <paramref name="kubeconfig"/> as KUBECONFIG (colon-separated allowed).</summary>
    public Task<Kubectl.Result> KubectlAsync(string? kubeconfig, params string[] args) =>
        RunAsync("kubectl", args, new Dictionary<string, string?>
        {
            ["PATH"] = $"{Directory}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}",
            ["KUBECONFIG"] = kubeconfig,
        });

    private static async Task<Kubectl.Result> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Only what the test passes: not the test run's cluster.
        start.Environment.Remove("KUBECONFIG");
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        return await Kubectl.RunProcessAsync(start);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
