using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace MemristorGrid.Hosting;

/// <summary>
/// Mutual TLS for every Orleans connection — silo to silo and client to gateway — with a private
/// certificate authority: each side presents a certificate issued by <see cref="Authority"/> and accepts
/// only peers whose certificate chains to it. Host names are not checked (silos are addressed by pod IP);
/// the authority is what admits a peer. PEM files, as a Kubernetes TLS Secret mounts them.
/// </summary>
public sealed record ClusterTls(string Certificate, string Key, string Authority)
{
    /// <summary>From MEMGRID_TLS_CERT, MEMGRID_TLS_KEY and MEMGRID_TLS_CA: all three, or none (no TLS).</summary>
    public static ClusterTls? FromEnvironment()
    {
        string?[] paths = [Env("MEMGRID_TLS_CERT"), Env("MEMGRID_TLS_KEY"), Env("MEMGRID_TLS_CA")];
        if (paths.All(p => p is null)) return null;
        if (paths.Any(p => p is null))
            throw new ClusterStoreUnavailableException("TLS needs all of MEMGRID_TLS_CERT, MEMGRID_TLS_KEY and MEMGRID_TLS_CA (PEM files), or none of them");
        return new ClusterTls(paths[0]!, paths[1]!, paths[2]!);
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    /// <summary>The TLS options for Orleans: this side's certificate, a peer certificate required both ways, our authority's check.</summary>
    public void Configure(TlsOptions options)
    {
        var (certificate, authority) = Load();
        options.LocalCertificate = certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, _) => IssuedBy(remote, authority);
        options.OnAuthenticateAsClient = (_, client) => client.TargetHost = "memristorgrid";
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="authority"/> (and only to it).</summary>
    public static bool IssuedBy(X509Certificate2? certificate, X509Certificate2 authority)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private (X509Certificate2 Certificate, X509Certificate2 Authority) Load()
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(Certificate, Key);
            // Re-imported so the key is usable by SslStream as a server on every platform.
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            return (certificate, X509CertificateLoader.LoadCertificateFromFile(Authority));
        }
        catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ClusterStoreUnavailableException($"cannot load the TLS certificate {Certificate} (key {Key}, authority {Authority}): {e.Message}");
        }
    }
}
