using GmsaOperator.Operator.Hosting.Shutdown;
using k8s.Models;

namespace GmsaOperator.Tests.Hosting;

/// <summary>A stopping replica keeps serving while its pod is a ready address of the webhook Service's Endpoints.</summary>
public sealed class EndpointMembershipTests
{
    private const string Pod = "gmsa-operator-controller-manager-abc";
    private const string Ns = "gmsa-system";

    private static V1EndpointAddress Address(string pod, string? ns = Ns, string kind = "Pod") =>
        new() { Ip = "10.0.0.1", TargetRef = new V1ObjectReference { Kind = kind, Name = pod, NamespaceProperty = ns } };

    private static V1Endpoints Endpoints(params V1EndpointSubset[] subsets) => new() { Metadata = new V1ObjectMeta { Name = "gmsa-operator-webhook-service" }, Subsets = subsets };

    [Test]
    public void ReadyAddress_IsServing() =>
        Assert.That(EndpointMembership.IsServing(Endpoints(new V1EndpointSubset { Addresses = [Address("other"), Address(Pod)] }), Pod, Ns), Is.True);

    [Test]
    public void ReadyInASecondSubset_IsServing() =>
        Assert.That(EndpointMembership.IsServing(Endpoints(
            new V1EndpointSubset { Addresses = [Address("other")] },
            new V1EndpointSubset { Addresses = [Address(Pod)] }), Pod, Ns), Is.True);

    [Test]
    public void OnlyANotReadyAddress_GetsNoTraffic() =>
        Assert.That(EndpointMembership.IsServing(Endpoints(new V1EndpointSubset { Addresses = [Address("other")], NotReadyAddresses = [Address(Pod)] }), Pod, Ns), Is.False);

    [Test]
    public void Absent_GetsNoTraffic() =>
        Assert.That(EndpointMembership.IsServing(Endpoints(new V1EndpointSubset { Addresses = [Address("other")] }), Pod, Ns), Is.False);

    [Test]
    public void NoEndpointsOrNoSubsets_GetNoTraffic()
    {
        Assert.That(EndpointMembership.IsServing(null, Pod, Ns), Is.False);
        Assert.That(EndpointMembership.IsServing(new V1Endpoints { Metadata = new V1ObjectMeta { Name = "x" } }, Pod, Ns), Is.False);
        Assert.That(EndpointMembership.IsServing(Endpoints(new V1EndpointSubset()), Pod, Ns), Is.False);
    }

    [Test]
    public void SameNameInAnotherNamespaceOrOfAnotherKind_IsNotThisPod()
    {
        Assert.That(EndpointMembership.IsServing(Endpoints(new V1EndpointSubset { Addresses = [Address(Pod, ns: "elsewhere")] }), Pod, Ns), Is.False);
        Assert.That(EndpointMembership.IsServing(Endpoints(new V1EndpointSubset { Addresses = [Address(Pod, kind: "Node")] }), Pod, Ns), Is.False);
        Assert.That(EndpointMembership.IsServing(Endpoints(new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "10.0.0.1" }] }), Pod, Ns), Is.False);
    }

    [Test]
    public void TargetRefWithoutNamespace_MatchesByName() =>
        Assert.That(EndpointMembership.IsServing(Endpoints(new V1EndpointSubset { Addresses = [Address(Pod, ns: null)] }), Pod, Ns), Is.True);
}
