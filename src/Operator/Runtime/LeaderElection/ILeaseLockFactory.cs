using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace GmsaOperator.Operator.Runtime.LeaderElection;

/// <summary>Creates the lock leader election runs on; tests substitute an in-memory one.</summary>
public interface ILeaseLockFactory
{
    ILock Create(LeaderElectionOptions options);
}

/// <summary>A coordination.k8s.io/v1 Lease lock.</summary>
public sealed class LeaseLockFactory(IKubernetes client) : ILeaseLockFactory
{
    public ILock Create(LeaderElectionOptions options) => new LeaseLock(client, options.Namespace, options.LeaseName, options.Identity);
}
