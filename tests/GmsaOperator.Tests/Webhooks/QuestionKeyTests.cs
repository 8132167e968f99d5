using GmsaOperator.Webhooks.Authorization;

namespace GmsaOperator.Tests.Webhooks;

public sealed class QuestionKeyTests
{
    /// <summary>The former text key: fields joined with U+0000–U+0003 and no escaping.</summary>
    private static string JoinedKey(AccessSubject s, string ns, string name) =>
        string.Join('\u0003', string.Join('\u0000', new[] { s.User, s.Uid ?? "", string.Join('\u0001', s.Groups) }
            .Concat(s.Extra?.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + '\u0002' + string.Join('\u0001', kv.Value)) ?? [])), ns, name);

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExtra = new Dictionary<string, IReadOnlyList<string>>();

    public static IEnumerable<TestCaseData> Collisions()
    {
        yield return new TestCaseData(
            (new AccessSubject("alice", ["dev\u0001system:masters"]), "ns1", "webapp1"),
            (new AccessSubject("alice", ["dev", "system:masters"]), "ns1", "webapp1")).SetName("a group containing the group separator");
        yield return new TestCaseData(
            (new AccessSubject("alice", ["dev"], Extra: new Dictionary<string, IReadOnlyList<string>> { ["scopes"] = ["a\u0001b"] }), "ns1", "webapp1"),
            (new AccessSubject("alice", ["dev"], Extra: new Dictionary<string, IReadOnlyList<string>> { ["scopes"] = ["a", "b"] }), "ns1", "webapp1")).SetName("an extra value containing the value separator");
        yield return new TestCaseData(
            (new AccessSubject("alice", ["dev\u0000x\u0002y"]), "ns1", "webapp1"),
            (new AccessSubject("alice", ["dev"], Extra: new Dictionary<string, IReadOnlyList<string>> { ["x"] = ["y"] }), "ns1", "webapp1")).SetName("a group forging an extra entry");
        yield return new TestCaseData(
            (new AccessSubject("alice", ["dev"]), "ns1\u0003webapp1", "x"),
            (new AccessSubject("alice", ["dev"]), "ns1", "webapp1\u0003x")).SetName("a namespace containing the question separator");
        yield return new TestCaseData(
            (new AccessSubject("alice\u0000u-1", ["dev"]), "ns1", "webapp1"),
            (new AccessSubject("alice", ["\u0000dev"], Uid: "u-1"), "ns1", "webapp1")).SetName("a user name forging a uid");
    }

    [TestCaseSource(nameof(Collisions))]
    public void SeparatorBearingValues_ThatSharedAJoinedKey_GetDifferentKeys((AccessSubject, string, string) a, (AccessSubject, string, string) b)
    {
        Assert.That(JoinedKey(a.Item1, a.Item2, a.Item3), Is.EqualTo(JoinedKey(b.Item1, b.Item2, b.Item3)), "the joined key collided");
        Assert.That(QuestionKey.For(a.Item1, a.Item2, a.Item3), Is.Not.EqualTo(QuestionKey.For(b.Item1, b.Item2, b.Item3)));
    }

    [Test]
    public void EqualQuestions_ShareAKey_WhateverTheExtraOrder()
    {
        var one = new AccessSubject("alice", ["dev"], "u-1", new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["1"], ["b"] = ["2"] });
        var two = new AccessSubject("alice", ["dev"], "u-1", new Dictionary<string, IReadOnlyList<string>> { ["b"] = ["2"], ["a"] = ["1"] });
        Assert.That(QuestionKey.For(one, "ns1", "webapp1"), Is.EqualTo(QuestionKey.For(two, "ns1", "webapp1")));
        Assert.That(QuestionKey.For(one with { Extra = NoExtra }, "ns1", "webapp1"), Is.Not.EqualTo(QuestionKey.For(one, "ns1", "webapp1")));
    }

    [Test]
    public void LoneSurrogates_AreNotConfusedWithTheReplacementCharacter() =>
        Assert.That(QuestionKey.For(new AccessSubject("\uD800", []), "ns1", "x"), Is.Not.EqualTo(QuestionKey.For(new AccessSubject("\uFFFD", []), "ns1", "x")));
}
