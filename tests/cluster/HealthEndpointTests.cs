using MemristorGrid.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The silo's probes: alive at once, ready only once it has joined the cluster.</summary>
public sealed class HealthEndpointTests : IDisposable
{
    private readonly Processes _processes = new();

    [Fact]
    public async Task Readiness_turns_on_only_after_the_silo_joined_the_cluster()
    {
        string redis = await _processes.StartRedisAsync();
        var silo = _processes.StartSilo(redis);
        await Task.Yield();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        async Task<int> Status(string path)
        {
            try { return (int)(await http.GetAsync($"http://127.0.0.1:{silo.HealthPort}{path}")).StatusCode; }
            catch (HttpRequestException) { return 0; }
            catch (TaskCanceledException) { return 0; }
        }

        bool sawAliveButNotReady = false;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Status("/ready") != 200)
        {
            if (_processes.LostAPortRace(silo.Process)) { silo = _processes.StartSilo(redis); sawAliveButNotReady = false; continue; }
            Assert.False(silo.Process.HasExited, $"the silo process exited:\n{_processes.Tail(silo.Process)}");
            Assert.True(DateTime.UtcNow < deadline, "the silo never became ready");
            if (await Status("/healthz") == 200 && await Status("/ready") == 503) sawAliveButNotReady = true;
            await Task.Delay(20);
        }
        Assert.True(sawAliveButNotReady, "the probes should answer (alive, not ready) while the silo joins");

        // Ready means joined: a client that finds the cluster through Redis sees this silo active.
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c => c.AddMemristorGridClient(new ClusterSettings { Redis = redis }));
        using var client = builder.Build();
        await client.StartAsync();
        var hosts = await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Contains(hosts.Keys, s => s.ToString().Contains($":{silo.SiloPort}", StringComparison.Ordinal));
        Assert.Equal(404, await Status("/nothing"));
        await client.StopAsync();
    }

    public void Dispose() => _processes.Dispose();
}
