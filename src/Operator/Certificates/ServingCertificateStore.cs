using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using GmsaOperator.Webhooks.Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace GmsaOperator.Operator.Certificates;

/// <summary>
/// Holds the serving snapshot and swaps it atomically. A candidate replaces the snapshot only if it is valid now, has
/// its key and the expected SANs, and chains to the published bundle; anything else (garbage, deletion, a stale or
/// foreign certificate) keeps the last good snapshot. Retired snapshots are disposed after a grace period. It is the
/// webhooks' <see cref="IServingCertificateProvider"/>: Kestrel takes the current snapshot's TLS context on every handshake.
/// </summary>
public sealed partial class ServingCertificateStore(CertificateSettings settings, TimeProvider time, ILogger<ServingCertificateStore> logger)
    : IServingCertificateProvider, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<ITimer> _retirements = [];
    private ServingCertificate? _current;
    private TrustBundle _published = TrustBundle.Empty;
    private IReadOnlyList<ObservedBundle>? _observed;

    public ServingCertificate? Current => Volatile.Read(ref _current);

    public byte[] GetCaBundlePem() => Volatile.Read(ref _published).ToPemBytes();

    /// <summary>The current leaf (Kestrel uses <see cref="ConfigureHttps"/>'s handshake callback; this is for other TLS hosts).</summary>
    public X509Certificate2? SelectCertificate(ConnectionContext? connection, string? serverName) => Current?.Certificate;

    /// <summary>Completes once a certificate is loaded (the certificate controller writes or reads it at start).</summary>
    public async Task WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        while (Current is null) await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tries the serving Secret's pair. Returns true if the snapshot now serves it (swapped or unchanged).</summary>
    public bool TryUpdate(V1Secret? servingSecret, TrustBundle published)
    {
        Volatile.Write(ref _published, published);
        if (servingSecret is null)
        {
            if (Current is not null) LogKept(logger, "the serving Secret is missing", Current.Fingerprint);
            return false;
        }
        var data = servingSecret.Data ?? new Dictionary<string, byte[]>();
        var pair = Pem.LoadPair(data.Value(CertificateSecrets.TlsCrt), data.Value(CertificateSecrets.TlsKey), out var problem);
        if (pair is null)
        {
            LogRejected(logger, problem!, Current?.Fingerprint);
            return false;
        }
        if (TryUpdate(pair, published, out problem)) return true;
        pair.Dispose();
        return false;
    }

    /// <summary>Validates and swaps in <paramref name="leaf"/> (with key). The store owns the certificate only when true is returned and it was swapped.</summary>
    public bool TryUpdate(X509Certificate2 leaf, TrustBundle published, out string? problem)
    {
        var now = time.GetUtcNow();
        var current = Current;
        if (current is not null && current.Fingerprint == leaf.Sha256())
        {
            problem = null;
            return current.Certificate != leaf ? DisposeDuplicate(leaf) : true;
        }
        var issuer = LeafValidator.CheckWithIssuer(leaf, published, settings, now, TimeSpan.Zero, out problem);
        if (issuer is null)
        {
            LogRejected(logger, problem!, current?.Fingerprint);
            return false;
        }

        var usable = OperatingSystem.IsWindows()
            // SChannel refuses ephemeral keys: round-trip through PKCS#12 (never persisted).
            ? X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null)
            : leaf;
        var snapshot = new ServingCertificate(usable, SslStreamCertificateContext.Create(usable, additionalCertificates: null, offline: true), issuer);
        ServingCertificate? old;
        lock (_gate)
        {
            old = Interlocked.Exchange(ref _current, snapshot);
            if (old is not null) ScheduleDisposal(old);
        }
        LogSwapped(logger, snapshot.Fingerprint, snapshot.NotAfter, snapshot.IssuerFingerprint, old?.Fingerprint);
        return true;
    }

    /// <summary>The caBundles of every entry of the managed webhook configurations, for readiness.</summary>
    public void ObserveBundles(IReadOnlyList<ObservedBundle> bundles) => Volatile.Write(ref _observed, bundles);

    public bool IsReady(out string reason)
    {
        var current = Current;
        if (current is null)
        {
            reason = "no serving certificate loaded";
            return false;
        }
        var now = time.GetUtcNow();
        if (current.NotAfter - now <= settings.ReadinessMinimumValidity)
        {
            reason = $"the serving certificate expires at {current.NotAfter:O}";
            return false;
        }
        var observed = Volatile.Read(ref _observed);
        if (observed is null)
        {
            reason = "the webhook configurations have not been observed yet";
            return false;
        }
        if (observed.Any(b => !b.Trusts(current.Issuer)))
        {
            reason = "the serving certificate's CA is not yet in every webhook caBundle";
            return false;
        }
        reason = "serving a valid certificate trusted by every webhook configuration";
        return true;
    }

    public TlsHandshakeCallbackOptions CreateHandshakeOptions(WebhookClientAuthentication? clients = null) => new()
    {
        HandshakeTimeout = TimeSpan.FromSeconds(10),
        OnConnection = _ => ValueTask.FromResult(CreateServerOptions(clients)),
    };

    public void ConfigureHttps(ListenOptions listen) => ConfigureHttps(listen, WebhookClientAuthentication.NotRequired);

    public void ConfigureHttps(ListenOptions listen, WebhookClientAuthentication clients) => listen.UseHttps(CreateHandshakeOptions(clients));

    /// <summary>Per handshake: one reference read. No snapshot yet → the handshake fails (readiness is false anyway).</summary>
    public SslServerAuthenticationOptions CreateServerOptions(WebhookClientAuthentication? clients = null)
    {
        var snapshot = Current ?? throw new InvalidOperationException("No webhook serving certificate is loaded yet.");
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = snapshot.Context,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        (clients ?? WebhookClientAuthentication.NotRequired).Apply(options);
        return options;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var t in _retirements) t.Dispose();
            _retirements.Clear();
            Interlocked.Exchange(ref _current, null)?.Dispose();
        }
    }

    private static bool DisposeDuplicate(X509Certificate2 duplicate)
    {
        duplicate.Dispose();
        return true;
    }

    private void ScheduleDisposal(ServingCertificate retired)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            retired.Dispose();
            lock (_gate)
            {
                if (timer is not null) _retirements.Remove(timer);
            }
            timer?.Dispose();
        }, null, settings.RetiredCertificateGrace, Timeout.InfiniteTimeSpan);
        _retirements.Add(timer);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "serving certificate swapped: {Fingerprint} (not after {NotAfter:O}, issuer {Issuer}), was {Previous}")]
    private static partial void LogSwapped(ILogger logger, string fingerprint, DateTimeOffset notAfter, string issuer, string? previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "serving certificate update rejected ({Problem}); keeping {Current}")]
    private static partial void LogRejected(ILogger logger, string problem, string? current);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Condition}; keeping the serving certificate {Current}")]
    private static partial void LogKept(ILogger logger, string condition, string current);
}
