using MemristorGrid.Engine.Simulation;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// Redis with a password (<c>requirepass</c>, as the manifests and compose run it): silos and clients given
/// MEMGRID_REDIS_PASSWORD cluster and run a job; a silo without it, or with a wrong one, stops at once with
/// one line naming the password, instead of joining — or waiting out the Redis timeout.
/// </summary>
public sealed class RedisAuthTests : IDisposable
{
    private readonly Processes _processes = new();

    [Fact]
    public async Task Only_silos_and_clients_with_the_password_join_the_cluster()
    {
        string password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var (_, redis) = await _processes.StartRedisAsync(EmbeddedCluster.FreePort(), password);
        await _processes.StartSilosAsync(redis, 1, password: password);

        using (var client = ClientHost.Build(new ClusterSettings { Redis = redis, RedisPassword = password }))
        {
            await client.StartAsync();
            var result = await ClusterJobRunner.RunAsync(client.Services.GetRequiredService<IClusterClient>(), Repo.Model("ring.onnx").Bytes, "ring.onnx",
                Repo.Profile("ideal"), new AnalogRunOptions { Seed = 2 }, 50, []);
            Assert.Equal(50, result.SampleCount);
            await client.StopAsync();
        }

        foreach (var (environment, expected) in new[]
                 {
                     (new Dictionary<string, string>(), "it requires a password (set MEMGRID_REDIS_PASSWORD)"),
                     (new Dictionary<string, string> { ["MEMGRID_REDIS_PASSWORD"] = "not-" + password }, "wrong password"),
                 })
        {
            var (silo, _, _) = _processes.StartSilo(redis, "--redis-wait 60", environment);
            Assert.True(silo.WaitForExit(20_000), "a silo with a bad password waited instead of stopping");
            silo.WaitForExit();
            string output = _processes.Tail(silo);
            Assert.Equal(1, silo.ExitCode);
            Assert.Contains(expected, output);
            Assert.DoesNotContain(password, output);
            Assert.DoesNotMatch(@"(?m)^\s+at \S", output);
        }
    }

    public void Dispose() => _processes.Dispose();
}
