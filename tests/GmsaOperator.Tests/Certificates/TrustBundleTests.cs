using System.Text;
using GmsaOperator.Operator.Certificates;
using static GmsaOperator.Tests.Certificates.CertificateTestKit;

namespace GmsaOperator.Tests.Certificates;

public class TrustBundleTests
{
    [Test]
    public void Normalise_DedupesDropsExpiredAndLeavesOrdersNewestFirst()
    {
        var s = Settings();
        using var old = CertificateIssuer.CreateCa(Start - TimeSpan.FromDays(300), s);
        using var expired = CertificateIssuer.CreateCa(Start - TimeSpan.FromDays(400), s);
        using var current = CertificateIssuer.CreateCa(Start, s);
        using var leaf = CertificateIssuer.IssueLeaf(current, Start, s);
        var bundle = TrustBundle.From([old, leaf, current, expired, old], Start);
        Assert.That(bundle.Certificates.Select(c => c.Sha256()), Is.EqualTo(new[] { current.Sha256(), old.Sha256() }));

        var reparsed = TrustBundle.Parse(bundle.ToPemBytes(), Start);
        Assert.That(reparsed.SetEquals(bundle), Is.True);
        Assert.That(TrustBundle.Parse(bundle.ToPemBytes(), old.NotAfterUtc()).Certificates, Has.Count.EqualTo(1));
    }

    [Test]
    public void Observed_DetectsGarbageExtrasAndMissing()
    {
        var s = Settings();
        using var ca = CertificateIssuer.CreateCa(Start, s);
        var desired = TrustBundle.From([ca], Start);
        var pem = desired.ToPem();
        Assert.Multiple(() =>
        {
            Assert.That(ObservedBundle.Parse(Encoding.ASCII.GetBytes(pem)).IsExactly(desired), Is.True);
            Assert.That(ObservedBundle.Parse(Encoding.ASCII.GetBytes("garbage")).IsExactly(desired), Is.False);
            Assert.That(ObservedBundle.Parse(Encoding.ASCII.GetBytes(pem + "trailing junk")).IsExactly(desired), Is.False);
            Assert.That(ObservedBundle.Parse(Encoding.ASCII.GetBytes(pem + RogueCa(Start).ExportCertificatePem())).IsExactly(desired), Is.False);
            Assert.That(ObservedBundle.Parse(Encoding.ASCII.GetBytes(pem + pem)).IsExactly(desired), Is.False);
            Assert.That(ObservedBundle.Parse(null).IsExactly(desired), Is.False);
            Assert.That(ObservedBundle.Parse(Encoding.ASCII.GetBytes("garbage")).Trusts(ca), Is.False);
        });
    }
}
