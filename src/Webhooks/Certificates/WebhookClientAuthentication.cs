using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GmsaOperator.Webhooks.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GmsaOperator.Webhooks.Certificates;

/// <summary>
/// Who may open a TLS connection to the webhook port. With <c>Webhooks:ClientCaFile</c> set, only a caller presenting
/// a client certificate that chains to that CA completes the handshake, so nothing else ever reaches HTTP parsing;
/// unset, any TLS client may call. The CA file is re-read every <see cref="ReloadInterval"/>: a changed file that
/// still holds a valid CA replaces the anchors, a broken one keeps the last good anchors.
/// </summary>
public sealed partial class WebhookClientAuthentication : IDisposable
{
    public static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(30);

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer? _reload;
    private ClientCertificateAuthority? _authority;
    private byte[] _loadedHash = [];
    private readonly LogBudget _rejectionLogs;

    private WebhookClientAuthentication(string path, ClientCertificateAuthority? authority, byte[] loadedHash, TimeProvider time, ILogger logger)
    {
        _path = path;
        _authority = authority;
        _loadedHash = loadedHash;
        _time = time;
        _logger = logger;
        // Port scanners or a misconfigured API server fail every handshake: report the first, then once a minute with a count.
        _rejectionLogs = new LogBudget(time, 1, TimeSpan.FromMinutes(1));
        if (authority is not null) _reload = time.CreateTimer(_ => Reload(), null, ReloadInterval, ReloadInterval);
    }

    /// <summary>Any TLS client may connect (no <c>Webhooks:ClientCaFile</c>).</summary>
    public static WebhookClientAuthentication NotRequired { get; } = new("", null, [], TimeProvider.System, NullLogger.Instance);

    /// <summary>Whether callers must present a client certificate.</summary>
    public bool Required => _authority is not null;

    /// <summary>
    /// The policy of <paramref name="clientCaFile"/> (empty: not required), logging once which mode is active. Throws
    /// when the file cannot serve as the client CA (options validation reports the same problem first).
    /// </summary>
    public static WebhookClientAuthentication Create(string clientCaFile, TimeProvider time, ILogger logger)
    {
        if (string.IsNullOrEmpty(clientCaFile))
        {
            LogNotRequired(logger);
            return NotRequired;
        }
        var hash = HashFile(clientCaFile);
        var authority = ClientCertificateAuthority.TryLoad(clientCaFile, time.GetUtcNow(), out var problem)
            ?? throw new InvalidOperationException(ProblemMessage(clientCaFile, problem!));
        LogRequired(logger, clientCaFile, string.Join("; ", authority.Describe()));
        return new WebhookClientAuthentication(clientCaFile, authority, hash ?? [], time, logger);
    }

    /// <summary>The startup error for a CA file that cannot be used, naming the setting.</summary>
    public static string ProblemMessage(string path, string problem) => $"Webhooks:ClientCaFile '{path}' cannot be used: {problem}";

    /// <summary>Makes Kestrel's options-based TLS require and verify a client certificate (no-op when not required).</summary>
    public void Apply(HttpsConnectionAdapterOptions options)
    {
        if (!Required) return;
        options.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        options.CheckCertificateRevocation = false;
        options.ClientCertificateValidation = (certificate, chain, _) => Accepts(certificate, chain);
    }

    /// <summary>Makes a per-handshake SslStream configuration require and verify a client certificate (no-op when not required).</summary>
    public void Apply(SslServerAuthenticationOptions options)
    {
        if (!Required) return;
        options.ClientCertificateRequired = true;
        options.CertificateRevocationCheckMode = X509RevocationMode.NoCheck;
        options.RemoteCertificateValidationCallback = (_, certificate, chain, _) => Accepts(certificate, chain);
    }

    /// <summary>The handshake's verdict on the caller's certificate; the TLS layer's own verdict (system roots) is ignored.</summary>
    public bool Accepts(X509Certificate? certificate, X509Chain? chain)
    {
        var authority = Volatile.Read(ref _authority);
        if (authority is null) return true;
        if (authority.Accepts(certificate, chain, _time.GetUtcNow(), out var problem)) return true;
        ReportRejection(certificate, problem);
        return false;
    }

    public void Dispose()
    {
        _reload?.Dispose();
        if (!ReferenceEquals(this, NotRequired)) Volatile.Read(ref _authority)?.Dispose();
    }

    private void Reload()
    {
        var hash = HashFile(_path);
        if (hash is not null && hash.AsSpan().SequenceEqual(_loadedHash)) return;
        var loaded = ClientCertificateAuthority.TryLoad(_path, _time.GetUtcNow(), out var problem);
        if (loaded is null)
        {
            LogReloadRejected(_logger, _path, problem!);
            return;
        }
        _loadedHash = hash ?? [];
        // The old anchors stay undisposed: a handshake may be validating against them right now.
        Volatile.Write(ref _authority, loaded);
        LogReloaded(_logger, _path, string.Join("; ", loaded.Describe()));
    }

    private void ReportRejection(X509Certificate? certificate, string problem)
    {
        if (!_rejectionLogs.TryTake(out var suppressed)) return;
        var who = certificate is null ? "none" : $"{Printable(certificate.Subject)} (sha256 {Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()))})";
        LogRejected(_logger, who, problem, suppressed);
    }

    // The subject of a rejected certificate is the caller's text: one short line of printable characters.
    private static string Printable(string subject)
    {
        var clean = new string([.. subject.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
        return subject.Length > 200 ? clean + "…" : clean;
    }

    private static byte[]? HashFile(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            if (file.Length > ClientCertificateAuthority.MaxFileBytes) return null;
            return SHA256.HashData(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "webhook client certificates required: callers must chain to {Path}: {Anchors}")]
    private static partial void LogRequired(ILogger logger, string path, string anchors);

    [LoggerMessage(Level = LogLevel.Information, Message = "webhook client certificates not required: any TLS client may call the webhook port (set Webhooks:ClientCaFile to require the API server's)")]
    private static partial void LogNotRequired(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook TLS handshake refused: client certificate {Certificate}: {Problem} ({Suppressed} more refused since the last report)")]
    private static partial void LogRejected(ILogger logger, string certificate, string problem, int suppressed);

    [LoggerMessage(Level = LogLevel.Information, Message = "webhook client CA reloaded from {Path}: {Anchors}")]
    private static partial void LogReloaded(ILogger logger, string path, string anchors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook client CA {Path} changed but cannot be used ({Problem}); keeping the previous CA")]
    private static partial void LogReloadRejected(ILogger logger, string path, string problem);
}
