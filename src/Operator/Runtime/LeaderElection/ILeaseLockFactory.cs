using k8s;
using k8s.LeaderElection;

namespace GmsaOperator.Runtime.LeaderElection;

/// <summary>Creates the lock leader election runs on; tests substitute an in-memory one.</summary>
public interface ILeaseLockFactory
{
    ILock Create(LeaderElectionOptions options);
}

/// <summary>A coordination.k8s.io/v1 Lease lock that reports its failed API calls.</summary>
public sealed class LeaseLockFactory(IKubernetes client, LeaderElectionErrorLog errors) : ILeaseLockFactory
{
    public ILock Create(LeaderElectionOptions options) => new ReportingLeaseLock(client, options, errors);
}
