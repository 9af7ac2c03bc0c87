using System.Diagnostics;
using MemristorGrid.Engine.Analog;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Hosting;
using MemristorGrid.Grains.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// The real multi-node setup on one machine: a redis-server, three silo processes clustered through
/// it, and a client. One silo — the one holding the chip's tiles — is killed mid-job; the job must
/// finish with exactly the reference samples.
/// </summary>
public sealed class MultiProcessRedisTests : IAsyncLifetime
{
    private readonly List<Process> _processes = [];
    private string _redis = "";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "memgrid-redis-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        int port = EmbeddedCluster.FreePort();
        var redis = Start("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --dir {_dir}",
            "redis-server not found: install it (apt-get install -y redis-server); .ci/run does");
        _redis = $"127.0.0.1:{port}";
        await WaitFor(() => redis.HasExited ? throw new InvalidOperationException("redis-server exited") : CanConnect(port), "redis-server");
    }

    private static bool CanConnect(int port)
    {
        try { using var c = new System.Net.Sockets.TcpClient("127.0.0.1", port); return true; }
        catch (System.Net.Sockets.SocketException) { return false; }
    }

    private Process Start(string file, string args, string missing)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process p;
        try { p = Process.Start(info) ?? throw new InvalidOperationException(missing); }
        catch (System.ComponentModel.Win32Exception) { throw new InvalidOperationException(missing); }
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add(p);
        return p;
    }

    private static async Task WaitFor(Func<bool> ready, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!ready())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not come up in {seconds} s");
            await Task.Delay(100);
        }
    }

    private (Process Process, int SiloPort) StartSilo()
    {
        int siloPort = EmbeddedCluster.FreePort(), gatewayPort = EmbeddedCluster.FreePort();
        string dll = Path.Combine(AppContext.BaseDirectory, "MemristorGrid.Silo.dll");
        var p = Start("dotnet", $"\"{dll}\" --redis {_redis} --port {siloPort} --gateway-port {gatewayPort}", "dotnet not found");
        return (p, siloPort);
    }

    [Fact]
    public async Task A_job_survives_a_killed_silo_with_identical_samples()
    {
        var silos = Enumerable.Range(0, 3).Select(_ => StartSilo()).ToList();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c => c.AddMemristorGridClient(new ClusterSettings { Redis = _redis }));
        using var client = builder.Build();
        await WaitFor(() => silos.All(s => !s.Process.HasExited), "silos", 5);
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IClusterClient>();
        var management = grains.GetGrain<IManagementGrain>(0);
        await WaitFor(() => management.GetHosts(onlyActive: true).GetAwaiter().GetResult().Count == 3, "three active silos", 60);

        var (net, bytes) = Repo.Model("ring.onnx");
        var profile = Repo.Profile("rram-180nm");
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 11, LaneSize = 100 };
        const int count = 1000;
        var reference = ReferenceSimulator.Run(net, profile, options, count, []);

        string jobId = $"job-{Guid.NewGuid():N}";
        var run = ClusterJobRunner.RunAsync(grains, net, bytes, "ring.onnx", profile, options, count, [], jobId: jobId, windowSegments: 4);
        var job = grains.GetGrain<IGenerationJobGrain>(jobId);
        await WaitFor(() => !run.IsCompleted && job.GetStatusAsync().GetAwaiter().GetResult() is { Segments: > 0 } s && s.SegmentsDone > s.Segments / 5, "a fifth of the job", 120);

        // Kill the silo that holds the chip's tiles: every lane needs it.
        var spec = new DeploymentSpec(bytes, "ring.onnx", profile.ToJson(), options.ProgramSeed);
        var placement = await grains.GetGrain<IDeploymentGrain>(spec.Id()).GetPlacementAsync();
        string tileSilo = placement[0].Silo;
        var victim = silos.Single(s => tileSilo.Contains($":{s.SiloPort}", StringComparison.Ordinal));
        victim.Process.Kill(entireProcessTree: true);

        var result = await run.WaitAsync(TimeSpan.FromMinutes(4));
        Assert.True(victim.Process.HasExited);
        // The chip's tiles lived on the victim and four fifths of the job still needed them: they must
        // have been re-activated on a surviving silo.
        var after = await grains.GetGrain<IDeploymentGrain>(spec.Id()).GetPlacementAsync();
        Assert.DoesNotContain(after, p => p.Silo == tileSilo);
        Assert.Equal(reference.Samples, result.Samples);
        Assert.Equal(reference.NetworkEvaluations, result.NetworkEvaluations);
        Assert.Equal(reference.Tiles.Select(t => t.MvmCount), result.Tiles.Select(t => t.MvmCount));
        await client.StopAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
