using GmsaOperator.Operator.Generation;

namespace GmsaOperator.Tests.Generation;

/// <summary>The committed config/ is exactly what the code generates.</summary>
public sealed class ConfigDriftTests
{
    [Test]
    public void CommittedConfigMatchesGeneratedOutput()
    {
        var directory = Path.Combine(RepositoryRoot.Path, "config");
        var drift = ConfigDrift.Describe(ConfigGenerator.Generate(), directory);
        if (drift.Length > 0) Assert.Fail($"config/ differs from what the code generates; run `make manifests` and commit the result.\n{drift}");
    }

    [Test]
    public void GenerationIsDeterministic()
    {
        var first = ConfigGenerator.Generate();
        var second = ConfigGenerator.Generate();
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void DriftReportShowsChangedLinesAndStaleFiles()
    {
        var directory = Directory.CreateTempSubdirectory("gmsa-drift-").FullName;
        try
        {
            var generated = new[] { new GeneratedFile("crd/a.yaml", "a: 1\nb: 2\nc: 3\n"), new GeneratedFile("crd/new.yaml", "x: 1\n") };
            Directory.CreateDirectory(Path.Combine(directory, "crd"));
            File.WriteAllText(Path.Combine(directory, "crd/a.yaml"), "a: 1\nb: 20\nc: 3\n");
            File.WriteAllText(Path.Combine(directory, "crd/old.yaml"), "y: 1\n");

            var drift = ConfigDrift.Describe(generated, directory);

            Assert.That(drift, Does.Contain("--- config/crd/a.yaml (committed)"));
            Assert.That(drift, Does.Contain("-b: 20\n+b: 2\n"));
            Assert.That(drift, Does.Contain("missing crd/new.yaml"));
            Assert.That(drift, Does.Contain("not generated (stale) crd/old.yaml"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task WriterRemovesOnlyStaleGeneratedFiles()
    {
        var directory = Directory.CreateTempSubdirectory("gmsa-writer-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "stale.yaml"), GeneratedFile.Header + "a: 1\n");
            File.WriteAllText(Path.Combine(directory, "mine.yaml"), "# hand-written\n");
            var result = await ConfigWriter.WriteAsync(directory, [new GeneratedFile("x/y.yaml", GeneratedFile.Header + "b: 2\n")], CancellationToken.None);

            Assert.That(result.Written, Is.EqualTo(new[] { "x/y.yaml" }));
            Assert.That(result.Removed, Is.EqualTo(new[] { "stale.yaml" }));
            Assert.That(File.Exists(Path.Combine(directory, "mine.yaml")), Is.True);

            var again = await ConfigWriter.WriteAsync(directory, [new GeneratedFile("x/y.yaml", GeneratedFile.Header + "b: 2\n")], CancellationToken.None);
            Assert.That(again.Unchanged, Is.EqualTo(new[] { "x/y.yaml" }));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
