using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// Mutual TLS on the Orleans ports, with certificates generated here (a private authority and leaf
/// certificates, as an operator would put in the memgrid-tls Secret): two silo processes cluster over
/// TLS and a client with a certificate from the authority runs a job; a client without a certificate,
/// or with one from another authority, cannot join.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private readonly Processes _processes = new();
    private readonly string _dir = Repo.TempDir();

    [Fact]
    public async Task Only_a_client_with_a_certificate_from_the_clusters_authority_joins()
    {
        var (authority, authorityKey) = Authority("memgrid test authority");
        var silo = Issue("silo", authority, authorityKey, "silo");
        var member = Issue("client", authority, authorityKey, "client");
        var (stranger, strangerKey) = Authority("another authority");
        var outsider = Issue("outsider", stranger, strangerKey, "outsider");

        string redis = await _processes.StartRedisAsync();
        await _processes.StartSilosAsync(redis, 2, tls: silo);

        using (var client = ClientHost.Build(new ClusterSettings { Redis = redis, Tls = member }))
        {
            await client.StartAsync();
            var result = await ClusterJobRunner.RunAsync(client.Services.GetRequiredService<IClusterClient>(), Repo.Model("ring.onnx").Bytes, "ring.onnx",
                Repo.Profile("ideal"), new AnalogRunOptions { Seed = 6, LaneSize = 10 }, 40, []);
            Assert.Equal(40, result.SampleCount);
            await client.StopAsync();
        }

        foreach (var (who, tls) in new[] { ("no certificate", (ClusterTls?)null), ("another authority's certificate", outsider) })
        {
            using var client = ClientHost.Build(new ClusterSettings { Redis = redis, Tls = tls });
            var joined = await Record.ExceptionAsync(async () =>
            {
                await client.StartAsync();
                await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            });
            Assert.True(joined is not null, $"a client with {who} joined the cluster");
        }

        // As a user meets it: memgrid without a certificate, and with another authority's, says in one line what was refused.
        string memgrid = $"\"{Path.Combine(AppContext.BaseDirectory, "memgrid.dll")}\" run --model \"{Repo.ModelPath("ring.onnx")}\" --samples 10 --redis {redis}";
        foreach (var (who, env) in new[]
        {
            ("no certificate", new Dictionary<string, string>()),
            ("another authority's certificate", new Dictionary<string, string> { ["MEMGRID_TLS_CERT"] = outsider.Certificate, ["MEMGRID_TLS_KEY"] = outsider.Key, ["MEMGRID_TLS_CA"] = outsider.Authority }),
        })
        {
            var run = _processes.Start("dotnet", $"{memgrid} --out \"{Path.Combine(_dir, "out-" + env.Count)}\"", "dotnet not found", env);
            Assert.True(run.WaitForExit(120_000), $"memgrid with {who} did not give up");
            string log = _processes.Tail(run);
            Assert.True(run.ExitCode != 0, $"memgrid with {who} ran");
            Assert.StartsWith("error: ", log);
            Assert.Single(log.TrimEnd().Split('\n'));
            Assert.True(log.Contains("TLS", StringComparison.Ordinal), $"memgrid with {who}: {log}");
        }
    }

    private (X509Certificate2 Certificate, ECDsa Key) Authority(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)), key);
    }

    /// <summary>A leaf certificate for both TLS roles (a silo is server and client), written as PEM files.</summary>
    private ClusterTls Issue(string name, X509Certificate2 authority, ECDsa authorityKey, string file)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey),
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        string cert = Path.Combine(_dir, $"{file}.crt"), keyFile = Path.Combine(_dir, $"{file}.key"), ca = Path.Combine(_dir, $"{file}-ca.crt");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(ca, authority.ExportCertificatePem());
        return new ClusterTls(cert, keyFile, ca);
    }

    public void Dispose() => _processes.Dispose();
}
