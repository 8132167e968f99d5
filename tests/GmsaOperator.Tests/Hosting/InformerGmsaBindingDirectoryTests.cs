using GmsaOperator.Entities.Bindings;
using GmsaOperator.Operator.Hosting;
using GmsaOperator.Operator.Reconcilers;
using GmsaOperator.Runtime.Controllers;
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

    [Test]
    public void Granting_OnlyBindingsOfTheNamespaceListingTheServiceAccount_SortedByName()
    {
        var deleting = Binding("shop", "a-deleting", "web", "sa");
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;
        var cache = new Mock<IObjectCache>();
        cache.Setup(c => c.ByIndex<GmsaBinding>(GmsaBindingReconciler.ByCredentialSpec, "web")).Returns(
        [
            Binding("shop", "z", "web", "sa", "other"),
            Binding("other", "b", "web", "sa"),
            Binding("shop", "c", "web", "other"),
            deleting,
            Binding("shop", "m", "web", "sa"),
        ]);

        var found = new InformerGmsaBindingDirectory(cache.Object).Granting("shop", "sa", "web");

        Assert.That(found.Select(b => b.Metadata.Name), Is.EqualTo(new[] { "m", "z" }));
    }
}
