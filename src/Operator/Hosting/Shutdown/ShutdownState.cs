namespace GmsaOperator.Operator.Hosting.Shutdown;

/// <summary>Set once the process has been asked to stop; read by the readiness check.</summary>
public sealed class ShutdownState
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public void BeginDraining() => _draining = true;
}
