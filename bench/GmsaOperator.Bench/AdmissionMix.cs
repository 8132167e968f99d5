using System.Buffers;
using System.Buffers.Text;
using System.Globalization;

namespace GmsaOperator.Bench;

/// <summary>One (namespace, service account, credspec) question and whether a GmsaBinding grants it.</summary>
internal sealed record Triple(string Namespace, string ServiceAccount, string CredSpec, bool Allowed);

/// <summary>
/// The realistic admission mix: <see cref="Namespaces"/> namespaces × <see cref="ServiceAccounts"/> service accounts,
/// <see cref="CredSpecs"/> credspecs; each namespace uses <see cref="CredSpecsPerNamespace"/> of them, so there are
/// 200 × 5 × 5 = 5,000 triples, ranked in a seeded random order and drawn with Zipf(s = <see cref="ZipfS"/>) over the
/// ranks. <see cref="DeniedShare"/> of the triples are not granted by any GmsaBinding (their pods must get 403). Every
/// request is a distinct pod (name and uid), as a ReplicaSet would send.
/// </summary>
internal sealed class AdmissionMix
{
    public const int Namespaces = 200;
    public const int ServiceAccounts = 5;
    public const int CredSpecs = 50;
    public const int CredSpecsPerNamespace = 5;
    public const double ZipfS = 1.1;
    public const double DeniedShare = 0.10;
    public const string RunLabel = "mix";

    private readonly double[] _cdf;

    private AdmissionMix(IReadOnlyList<Triple> ranked)
    {
        Ranked = ranked;
        _cdf = new double[ranked.Count];
        double sum = 0;
        for (var k = 0; k < ranked.Count; k++) _cdf[k] = sum += Math.Pow(k + 1, -ZipfS);
        for (var k = 0; k < _cdf.Length; k++) _cdf[k] /= sum;
    }

    /// <summary>All triples, most frequently drawn first.</summary>
    public IReadOnlyList<Triple> Ranked { get; }

    public static string NamespaceName(int i) => "mix-" + i.ToString("D3", CultureInfo.InvariantCulture);
    public static string ServiceAccountName(int i) => "sa-" + i.ToString(CultureInfo.InvariantCulture);
    public static string CredSpecName(int i) => "mix-cs-" + i.ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>The fixed mix (seeded): the same triples, ranks and denials on every run.</summary>
    public static AdmissionMix Create(int seed = 16)
    {
        var random = new Random(seed);
        var triples = new List<(string Ns, string Sa, string Cs)>();
        for (var n = 0; n < Namespaces; n++)
        {
            for (var j = 0; j < CredSpecsPerNamespace; j++)
            {
                // 11·j mod 50 is distinct for j < 5: five different credspecs per namespace, spread over all 50.
                var cs = CredSpecName((n * 7 + j * 11) % CredSpecs);
                for (var s = 0; s < ServiceAccounts; s++) triples.Add((NamespaceName(n), ServiceAccountName(s), cs));
            }
        }
        var denied = new HashSet<int>(Enumerable.Range(0, triples.Count).OrderBy(_ => random.Next()).Take((int)(triples.Count * DeniedShare)));
        var ranked = Enumerable.Range(0, triples.Count).OrderBy(_ => random.Next())
            .Select(i => new Triple(triples[i].Ns, triples[i].Sa, triples[i].Cs, !denied.Contains(i))).ToList();
        return new AdmissionMix(ranked);
    }

    /// <summary>A triple drawn from the Zipf distribution over ranks.</summary>
    public Triple Draw(Random random)
    {
        var i = Array.BinarySearch(_cdf, random.NextDouble());
        return Ranked[Math.Min(i < 0 ? ~i : i, Ranked.Count - 1)];
    }

    /// <summary>The GmsaBindings that grant exactly the allowed triples: one per (namespace, credspec) with any allowed account.</summary>
    public IEnumerable<(string Namespace, string CredSpec, string[] ServiceAccounts)> Bindings() =>
        Ranked.Where(t => t.Allowed).GroupBy(t => (t.Namespace, t.CredSpec))
            .Select(g => (g.Key.Namespace, g.Key.CredSpec, g.Select(t => t.ServiceAccount).Order(StringComparer.Ordinal).ToArray()));

    /// <summary>Requests for <paramref name="path"/> (/mutate or /validate): a distinct pod per request, triples from the mix.</summary>
    public IAdmissionRequests Requests(bool validate, string contents) => new Source(this, validate, contents);

    private sealed class Source : IAdmissionRequests
    {
        private static readonly byte[] PodPlaceholder = "@@POD@@"u8.ToArray();
        private static readonly byte[] UidPlaceholder = "@@UID@@"u8.ToArray();

        private readonly AdmissionMix _mix;
        private readonly Dictionary<Triple, Template> _templates;
        private readonly bool _validate;
        private readonly Random[] _random = Enumerable.Range(0, 256).Select(i => new Random(1000 + i)).ToArray();
        private long _sequence;

        public Source(AdmissionMix mix, bool validate, string contents)
        {
            _mix = mix;
            _validate = validate;
            // Each triple's body rendered once with placeholders; a request only splices in its pod name and uid, as
            // bytes: the generator shares the cores with what it measures.
            _templates = mix.Ranked.ToDictionary(t => t, t => Template.Of(
                AdmissionBodies.Pod(t.Namespace, t.ServiceAccount, t.CredSpec, validate ? contents : null, "@@POD@@", "@@UID@@")));
        }

        public string Description => $"{AdmissionMix.Namespaces} namespaces × {AdmissionMix.ServiceAccounts} service accounts, {AdmissionMix.CredSpecs} credspecs, " +
            $"Zipf s={AdmissionMix.ZipfS} over {_mix.Ranked.Count:N0} triples, {AdmissionMix.DeniedShare:P0} of them not granted, a distinct pod per request";

        public AdmissionRequest Next(int worker)
        {
            var random = _random[worker % _random.Length];
            Triple triple;
            lock (random) triple = _mix.Draw(random);
            var body = _templates[triple].Render(Interlocked.Increment(ref _sequence), Guid.NewGuid());
            // /mutate does not authorise (the validating webhook does, as upstream): every mutate request is allowed.
            return new AdmissionRequest(body, _validate && !triple.Allowed ? Expect.Forbidden : Expect.Allowed);
        }

        /// <summary>A body split at its placeholders: text, pod name, text, uid, … in the order they occur.</summary>
        private sealed record Template(byte[][] Text, bool[] IsPod)
        {
            private const int PodNameLength = 4 + 8; // "web-" + 8 hex digits
            private const int UidLength = 36;

            public static Template Of(byte[] body)
            {
                var text = new List<byte[]>();
                var isPod = new List<bool>();
                var rest = body.AsSpan();
                while (true)
                {
                    var pod = rest.IndexOf(PodPlaceholder);
                    var uid = rest.IndexOf(UidPlaceholder);
                    var next = pod < 0 ? uid : uid < 0 ? pod : Math.Min(pod, uid);
                    if (next < 0) break;
                    text.Add(rest[..next].ToArray());
                    isPod.Add(next == pod);
                    rest = rest[(next + (next == pod ? PodPlaceholder : UidPlaceholder).Length)..];
                }
                text.Add(rest.ToArray());
                return new Template([.. text], [.. isPod]);
            }

            public byte[] Render(long sequence, Guid uid)
            {
                var length = Text.Sum(t => t.Length);
                foreach (var pod in IsPod) length += pod ? PodNameLength : UidLength;
                var body = new byte[length];
                var at = 0;
                for (var i = 0; i < Text.Length; i++)
                {
                    Text[i].CopyTo(body, at);
                    at += Text[i].Length;
                    if (i == IsPod.Length) break;
                    if (IsPod[i])
                    {
                        "web-"u8.CopyTo(body.AsSpan(at));
                        Utf8Formatter.TryFormat((uint)sequence, body.AsSpan(at + 4, 8), out _, new StandardFormat('x', 8));
                        at += PodNameLength;
                    }
                    else
                    {
                        Utf8Formatter.TryFormat(uid, body.AsSpan(at, UidLength), out _);
                        at += UidLength;
                    }
                }
                return body;
            }
        }
    }
}
