using GmsaOperator.Entities.CredentialSpecs;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.Runtime;
using GmsaOperator.Runtime.Controllers;
using k8s.Models;
using Moq;

namespace GmsaOperator.Tests.Hosting;

public sealed class InformerCredentialSpecCacheTests
{
    private readonly Dictionary<string, GmsaCredentialSpec> _cached = new(StringComparer.Ordinal);

    private InformerCredentialSpecCache Cache(int maxRenderings)
    {
        var cache = new Mock<IObjectCache>();
        cache.Setup(c => c.Get<GmsaCredentialSpec>(It.IsAny<ObjectKey>(), null))
            .Returns((ObjectKey key, GmsaOperator.Runtime.Informers.InformerScope? _) => _cached.GetValueOrDefault(key.Name));
        return new InformerCredentialSpecCache(cache.Object, maxRenderings);
    }

    private void Put(string name, string account) => _cached[name] = new GmsaCredentialSpec
    {
        ApiVersion = "windows.k8s.io/v1", Kind = "GMSACredentialSpec",
        Metadata = new V1ObjectMeta { Name = name, ResourceVersion = account },
        CredSpec = new CredentialSpecDocument
        {
            DomainJoinConfig = new DomainJoinConfig { MachineAccountName = account, DnsName = "contoso.com" },
        },
    };

    [Test]
    public void Missing_IsNotFound()
    {
        Assert.That(Cache(4).TryGet("nope", out _), Is.False);
    }

    [Test]
    public void Rendering_IsTheCachedObjectAsJson_AndFollowsAReplacedObject()
    {
        var cache = Cache(4);
        Put("web", "WebApp01");
        Assert.That(cache.TryGet("web", out var first), Is.True);
        Assert.That(first.GetProperty("credspec").GetProperty("DomainJoinConfig").GetProperty("MachineAccountName").GetString(), Is.EqualTo("WebApp01"));

        Put("web", "WebApp02"); // a watch event replaces the cached instance
        Assert.That(cache.TryGet("web", out var second), Is.True);
        Assert.That(second.GetProperty("credspec").GetProperty("DomainJoinConfig").GetProperty("MachineAccountName").GetString(), Is.EqualTo("WebApp02"));
        Assert.That(cache.RenderingCount, Is.EqualTo(1));
    }

    [Test]
    public void Renderings_AreBounded_WhateverNumberOfCredentialSpecsIsRead()
    {
        var cache = Cache(8);
        for (var i = 0; i < 100; i++)
        {
            Put($"spec-{i}", $"Account{i}");
            Assert.That(cache.TryGet($"spec-{i}", out var json), Is.True);
            Assert.That(json.GetProperty("metadata").GetProperty("name").GetString(), Is.EqualTo($"spec-{i}"));
            Assert.That(cache.RenderingCount, Is.LessThanOrEqualTo(8));
        }
    }
}
