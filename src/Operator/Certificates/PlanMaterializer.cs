namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// Turns one plan's intents into certificates, in execution order and only when about to be written: keys exist only
/// for writes that are attempted. Tracks the signing CA and bundle the plan's CA write publishes, for the caBundles and
/// the leaf after it. No I/O.
/// </summary>
public sealed class PlanMaterializer(RotationPlan plan, CertificateSettings settings)
{
    /// <summary>The signing CA once the CA writes done so far are in place (null while a new CA is not written yet).</summary>
    public CaMaterial? Signing { get; private set; } = plan.SigningCa;

    /// <summary>The bundle published once the CA writes done so far are in place.</summary>
    public TrustBundle Published { get; private set; } = plan.PublishedBundle;

    /// <summary>The CA Secret's content for <paramref name="action"/>; a new key for <see cref="CreateCa"/> and <see cref="RotateCa"/>.</summary>
    public CaMaterial Ca(CaSecretAction action, DateTimeOffset now)
    {
        switch (action)
        {
            case CreateCa create:
            {
                var created = CertificateIssuer.CreateCa(now, settings);
                return new CaMaterial(created, TrustBundle.From(create.AlsoTrusted.Prepend(created), now), create.Generation, now);
            }
            case RotateCa rotate:
            {
                var created = CertificateIssuer.CreateCa(now, settings);
                return new CaMaterial(created, TrustBundle.From([created, rotate.Current.Certificate], now), rotate.Current.Generation + 1, now);
            }
            case RestoreCa restore:
                return restore.LastGood;
            case RepairBundle repair:
                return repair.Repaired;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "unknown CA intent");
        }
    }

    /// <summary>The CA write succeeded: what follows builds on it.</summary>
    public void CaWritten(CaMaterial material)
    {
        Signing = material;
        Published = material.Bundle;
    }

    /// <summary>The serving Secret's content: the last good leaf, or a new key and leaf from the signing CA.</summary>
    public LeafMaterial Leaf(CertificateAction action, DateTimeOffset now) => action switch
    {
        RestoreLeaf restore => restore.LastGood,
        IssueLeaf => Signing is { } signing
            ? new LeafMaterial(CertificateIssuer.IssueLeaf(signing.Certificate, now, settings), signing.Certificate)
            : throw new InvalidOperationException("a leaf was planned without a signing CA written before it"),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "unknown leaf intent"),
    };

    /// <summary>Whether <paramref name="material"/> holds a key created here (to dispose when its write fails).</summary>
    public static bool IsNew(CertificateAction action) => action is CreateCa or RotateCa or IssueLeaf;
}
