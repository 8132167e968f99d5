using GmsaOperator.Entities;
using GmsaOperator.Operator.Hosting;

namespace GmsaOperator.IntegrationTests.Config;

/// <summary>
/// Installs the generated CRDs on the shared control plane: once at its start, and again by a test that swapped them.
/// Idempotent (create or replace), never deletes: CRDs are
/// cluster-scoped and shared by every test, and deleting gmsacredentialspecs would delete every credential spec.
/// </summary>
internal static class CrdSetup
{
    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken = default)
    {
        await CrdInstaller.InstallAsync(ControlPlaneSetup.Client, CustomResourceDefinitions.All(), TextWriter.Null, cancellationToken);
    }
}
