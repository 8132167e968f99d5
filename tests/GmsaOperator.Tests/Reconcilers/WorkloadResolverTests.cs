using System.Net;
using GmsaOperator.Operator.Reconcilers.StalePods;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Writes;
using k8s.Autorest;
using k8s.Models;
using Moq;

namespace GmsaOperator.Tests.Reconcilers;

public sealed class WorkloadResolverTests
{
    private static readonly OwnerRef ReplicaSet = new("apps/v1", "ReplicaSet", "web-5d4f", "rs1");

    private static V1ReplicaSet Rs(string uid = "rs1") => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "web-5d4f", NamespaceProperty = "ns", Uid = uid,
            OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", Uid = "d1", Controller = true }],
        },
    };

    [Test]
    public async Task AReplicaSet_IsFollowedToItsDeployment_OnceByUid()
    {
        var reader = new Mock<IObjectWriter>();
        reader.Setup(r => r.GetAsync<V1ReplicaSet>(new ObjectKey("ns", "web-5d4f"), It.IsAny<CancellationToken>())).ReturnsAsync(Rs());
        var resolver = new WorkloadResolver(reader.Object);

        var first = await resolver.ResolveAsync("ns", "web-5d4f-abc", "p1", ReplicaSet, default);
        var second = await resolver.ResolveAsync("ns", "web-5d4f-def", "p2", ReplicaSet, default);

        Assert.That((first, second), Is.EqualTo((new Workload("apps/v1", "Deployment", "web", "d1"), new Workload("apps/v1", "Deployment", "web", "d1"))));
        reader.Verify(r => r.GetAsync<V1ReplicaSet>(It.IsAny<ObjectKey>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task AReplacedOrUnreadableReplicaSet_IsNamedItself_AndNotRemembered()
    {
        var reader = new Mock<IObjectWriter>();
        reader.SetupSequence(r => r.GetAsync<V1ReplicaSet>(It.IsAny<ObjectKey>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Rs(uid: "another"))
            .ThrowsAsync(new HttpOperationException { Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Forbidden), "") })
            .ReturnsAsync(Rs());
        var resolver = new WorkloadResolver(reader.Object);
        var self = new Workload("apps/v1", "ReplicaSet", "web-5d4f", "rs1");

        Assert.That(await resolver.ResolveAsync("ns", "p", "p1", ReplicaSet, default), Is.EqualTo(self));
        Assert.That(await resolver.ResolveAsync("ns", "p", "p1", ReplicaSet, default), Is.EqualTo(self));
        Assert.That(await resolver.ResolveAsync("ns", "p", "p1", ReplicaSet, default), Is.EqualTo(new Workload("apps/v1", "Deployment", "web", "d1")));
    }

    [Test]
    public async Task BarePods_AndOtherControllers_NeedNoRead()
    {
        var reader = new Mock<IObjectWriter>(MockBehavior.Strict);
        var resolver = new WorkloadResolver(reader.Object);
        Assert.That(await resolver.ResolveAsync("ns", "bare", "u1", null, default), Is.EqualTo(Workload.BarePod("bare", "u1")));
        Assert.That(await resolver.ResolveAsync("ns", "db-0", "u2", new OwnerRef("apps/v1", "StatefulSet", "db", "s1"), default),
            Is.EqualTo(new Workload("apps/v1", "StatefulSet", "db", "s1")));
    }
}
