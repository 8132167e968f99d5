using GmsaOperator.Operator.Cli.Bindings;

namespace GmsaOperator.Tests.Cli.Plugin;

/// <summary>Which GmsaBinding <c>bind</c> writes, and that existing service accounts are always kept.</summary>
public sealed class BindPlanTests
{
    private static ExistingBinding Binding(string name, string credSpec, params string[] accounts) => new(name, credSpec, accounts, "7");

    [Test]
    public void NoBindingForTheCredSpec_CreatesOneNamedAfterIt()
    {
        var action = BindPlan.Choose([Binding("other", "gmsa-other", "a")], "gmsa-web", ["web", "worker", "web"], null);
        Assert.That(action, Is.EqualTo(new BindAction.Create("gmsa-web", ["web", "worker"])).Using<BindAction>(Same));
    }

    [Test]
    public void TheBindingGrantingTheCredSpec_IsExtended_KeepingItsEntriesInOrder()
    {
        var existing = Binding("webapp1", "gmsa-web", "zeta", "alpha");
        var action = (BindAction.Extend)BindPlan.Choose([existing, Binding("other", "gmsa-other")], "gmsa-web", ["beta", "alpha"], null);
        Assert.Multiple(() =>
        {
            Assert.That(action.Binding, Is.EqualTo(existing));
            Assert.That(action.ServiceAccounts, Is.EqualTo(new[] { "zeta", "alpha", "beta" }));
            Assert.That(action.Added, Is.EqualTo(new[] { "beta" }));
        });
    }

    [Test]
    public void AllAlreadyBound_ExtendsWithNothingAdded()
    {
        var action = (BindAction.Extend)BindPlan.Choose([Binding("b", "gmsa-web", "web")], "gmsa-web", ["web"], null);
        Assert.That(action.Added, Is.Empty);
    }

    [Test]
    public void SeveralGrantTheCredSpec_TheOneNamedAfterItIsChosen_ElseRefusedAsAGuess()
    {
        var named = BindPlan.Choose([Binding("a", "gmsa-web"), Binding("gmsa-web", "gmsa-web"), Binding("b", "gmsa-web")], "gmsa-web", ["x"], null);
        Assert.That(((BindAction.Extend)named).Binding.Name, Is.EqualTo("gmsa-web"));

        var guess = BindPlan.Choose([Binding("b", "gmsa-web"), Binding("a", "gmsa-web")], "gmsa-web", ["x"], null);
        Assert.That(((BindAction.Refuse)guess).Message, Is.EqualTo("several GmsaBindings grant GMSACredentialSpec gmsa-web: a, b; choose one with --name"));
    }

    [Test]
    public void ABindingNamedAfterTheCredSpecGrantingAnother_IsRefused()
    {
        var action = BindPlan.Choose([Binding("gmsa-web", "gmsa-old")], "gmsa-web", ["x"], null);
        Assert.That(((BindAction.Refuse)action).Message, Does.Contain("GmsaBinding gmsa-web grants GMSACredentialSpec gmsa-old, not gmsa-web"));
    }

    [Test]
    public void ExplicitName_CreatesOrExtendsThatOne_WhenItGrantsTheSameCredSpec()
    {
        Assert.Multiple(() =>
        {
            Assert.That(BindPlan.Choose([Binding("gmsa-web", "gmsa-web")], "gmsa-web", ["x"], "mine"), Is.EqualTo(new BindAction.Create("mine", ["x"])).Using<BindAction>(Same));
            Assert.That(((BindAction.Extend)BindPlan.Choose([Binding("mine", "gmsa-web", "a")], "gmsa-web", ["x"], "mine")).ServiceAccounts, Is.EqualTo(new[] { "a", "x" }));
            Assert.That(BindPlan.Choose([Binding("mine", "gmsa-other")], "gmsa-web", ["x"], "mine"), Is.InstanceOf<BindAction.Refuse>());
        });
    }

    private static bool Same(BindAction a, BindAction b) =>
        (a, b) is (BindAction.Create x, BindAction.Create y) && x.Name == y.Name && x.ServiceAccounts.SequenceEqual(y.ServiceAccounts);
}
