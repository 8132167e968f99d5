using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.Operator.Reconcilers;
using GmsaOperator.Runtime.Controllers;
using k8s.Autorest;
using k8s.Models;
using Moq;

namespace GmsaOperator.Tests.Hosting;

public sealed class InformerGmsaBindingDirectoryTests
{
    private static GmsaBinding Binding(string ns, string name, string credspec, params string[] serviceAccounts) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name },
        Spec = new GmsaBindingSpec { CredentialSpecName = credspec, ServiceAccounts = serviceAccounts },
    };

    private static GmsaBinding Deleting(GmsaBinding binding)
    {
        binding.Metadata.DeletionTimestamp = DateTime.UtcNow;
        return binding;
    }

    [Test]
    public async Task Synced_AnswersFromTheServiceAccountIndex_OnlyBindingsOfTheNamespaceAndCredspecListingTheAccount_SortedByName()
    {
        // Strict: the credspec index (every namespace's bindings of a credspec) is not read on this path.
        var cache = new Mock<IObjectCache>(MockBehavior.Strict);
        cache.Setup(c => c.HasSynced<GmsaBinding>()).Returns(true);
        cache.Setup(c => c.ByIndex<GmsaBinding>(GmsaBindingReconciler.ByServiceAccount, "shop/sa")).Returns(
        [
            Binding("shop", "z", "web", "sa", "other"),
            Binding("shop", "other-spec", "api", "sa"),
            Binding("other", "b", "web", "sa"),
            Binding("shop", "c", "web", "other"),
            Deleting(Binding("shop", "a-deleting", "web", "sa")),
            Binding("shop", "m", "web", "sa"),
        ]);

        var found = await new InformerGmsaBindingDirectory(cache.Object).GrantingAsync("shop", "sa", "web", default);

        Assert.That(found!.Select(b => b.Metadata.Name), Is.EqualTo(new[] { "m", "z" }));
        cache.Verify(c => c.ListReadThroughAsync<GmsaBinding>(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task NotSynced_ReadsTheNamespaceThroughTheCache_AndFiltersTheSameWay()
    {
        var cache = new Mock<IObjectCache>(MockBehavior.Strict);
        cache.Setup(c => c.HasSynced<GmsaBinding>()).Returns(false);
        cache.Setup(c => c.ListReadThroughAsync<GmsaBinding>("shop", It.IsAny<CancellationToken>())).ReturnsAsync(
        [
            Binding("shop", "z", "web", "sa"),
            Binding("shop", "other-spec", "api", "sa"),
            Binding("shop", "c", "web", "other"),
            Deleting(Binding("shop", "a-deleting", "web", "sa")),
            Binding("shop", "m", "web", "sa"),
        ]);

        var found = await new InformerGmsaBindingDirectory(cache.Object).GrantingAsync("shop", "sa", "web", default);

        Assert.That(found!.Select(b => b.Metadata.Name), Is.EqualTo(new[] { "m", "z" }));
    }

    [Test]
    public async Task NotSynced_AndTheApiServerFails_IsUnknown()
    {
        var cache = new Mock<IObjectCache>(MockBehavior.Strict);
        cache.Setup(c => c.HasSynced<GmsaBinding>()).Returns(false);
        cache.Setup(c => c.ListReadThroughAsync<GmsaBinding>("shop", It.IsAny<CancellationToken>())).ThrowsAsync(new HttpOperationException("503 Service Unavailable"));

        Assert.That(await new InformerGmsaBindingDirectory(cache.Object).GrantingAsync("shop", "sa", "web", default), Is.Null);
    }
}
