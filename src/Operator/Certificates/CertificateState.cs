namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// What the certificate controller keeps between reconciles (the reconciler itself is created per reconcile). Only the
/// one reconcile of the controller's single key touches it at a time.
/// </summary>
public sealed class CertificateState
{
    private int _reconciles;

    /// <summary>What this process last saw valid or wrote: restores a deleted Secret without a trust change.</summary>
    public LastGoodMaterial LastGood { get; set; } = LastGoodMaterial.None;

    public PolicyState Policy { get; set; } = PolicyState.Idle;

    public WriteExpectations Expectations { get; } = new();

    /// <summary>Completed reconciles (diagnostics and tests).</summary>
    public int Reconciles => Volatile.Read(ref _reconciles);

    public void CountReconcile() => Interlocked.Increment(ref _reconciles);
}
