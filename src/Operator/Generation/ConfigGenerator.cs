namespace GmsaOperator.Operator.Generation;

/// <summary>The whole generated <c>config/</c> tree, in a stable order.</summary>
public static class ConfigGenerator
{
    public static IReadOnlyList<GeneratedFile> Generate() =>
    [
        .. new[]
            {
                CrdManifests.Files(),
                RbacManifests.Files(),
                ManagerManifests.Files(),
                WebhookManifests.Files(),
                SampleManifests.Files(),
                DefaultManifests.Files(),
                PrometheusManifests.Files(),
            }
            .SelectMany(f => f)
            .OrderBy(f => f.Path, StringComparer.Ordinal),
    ];
}
