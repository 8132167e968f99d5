using System.Globalization;
using System.Text.RegularExpressions;

namespace GmsaOperator.Webhooks.Admission;

/// <summary>
/// The postStart command of the secure-channel repair: the Kubernetes GMSA documentation's netlogon-restart loop,
/// bounded. It restarts netlogon until <c>nltest /query</c> reports <c>0x0 NERR_Success</c>, sleeping between
/// attempts; after the last failed attempt it prints why (the kubelet puts a failed hook's output into the
/// FailedPostStartHook event) and exits 1, so the container is restarted instead of hanging in ContainerCreating.
/// </summary>
public static partial class SecureChannelRepairHook
{
    /// <summary>Text every generated script contains; recognises the hook on pods (reinvocation, doctor).</summary>
    public const string Marker = "gmsa-operator secure-channel repair";

    private const string Shell = "powershell.exe";
    private const string CommandSwitch = "-command";

    /// <summary>
    /// The exec command for <paramref name="domain"/>. The domain is pasted into a PowerShell string, so only a plain
    /// DNS name is accepted (<see cref="IsPlainDnsName"/>); callers check first.
    /// </summary>
    public static IReadOnlyList<string> Command(string domain, int maxAttempts, int intervalSeconds)
    {
        if (!IsPlainDnsName(domain)) throw new ArgumentException("not a plain DNS name", nameof(domain));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalSeconds, 1);
        var n = maxAttempts.ToString(CultureInfo.InvariantCulture);
        var s = intervalSeconds.ToString(CultureInfo.InvariantCulture);
        var script =
            $"for ($attempt = 1; $attempt -le {n}; $attempt++) {{ " +
            "Restart-Service -Name netlogon; " +
            "if ((nltest.exe /query) -like '*0x0 NERR_Success*') { exit 0 }; " +
            $"if ($attempt -lt {n}) {{ Start-Sleep -Seconds {s} }} }}; " +
            $"Write-Output '{Marker}: the secure channel to domain {domain} does not work: nltest /query did not report NERR_Success after {n} netlogon restarts {s} s apart. Check that the node reaches a domain controller of {domain} (nltest /sc_query:{domain}).'; " +
            "exit 1";
        return [Shell, CommandSwitch, script];
    }

    /// <summary>Whether <paramref name="command"/> is a repair hook this operator generated (any settings, any domain).</summary>
    public static bool IsRepairHook(IReadOnlyList<string>? command) =>
        command is [Shell, CommandSwitch, { } script] && script.Contains(Marker, StringComparison.Ordinal);

    /// <summary>Letters, digits, '-' and '.' in dot-separated labels of 1-63 characters, at most 253 in all: nothing PowerShell or JSON could interpret.</summary>
    public static bool IsPlainDnsName(string? name) => name is { Length: > 0 and <= 253 } && PlainDnsName().IsMatch(name) && !name.EndsWith('\n');

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainDnsName();
}
