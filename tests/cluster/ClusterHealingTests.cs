using System.Diagnostics;
using System.Text.RegularExpressions;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// Redis restarted empty under a running cluster (what <c>redis-server --daemonize yes</c> gives after a
/// crash), with real silo processes and a real redis-server: the silos notice that their membership rows
/// are gone and exit with 75 so that an orchestrator restarts them; a restarted set serves the next job;
/// a job caught in it fails with one clear error; a finished job leaves nothing in the store.
/// </summary>
public sealed class ClusterHealingTests : IDisposable
{
    private readonly Processes _processes = new();

    private static string[] Ring(string redis, string output, int samples) =>
        ["run", "--model", Repo.ModelPath("ring.onnx"), "--profile", "rram-180nm", "--samples", $"{samples}", "--seed", "8", "--redis", redis, "--out", output];

    [Fact]
    public async Task Silos_whose_Redis_restarted_empty_exit_and_a_restarted_set_serves_the_next_job()
    {
        int port = EmbeddedCluster.FreePort();
        var (redisProcess, redis) = await _processes.StartRedisAsync(port);
        var silos = await _processes.StartSilosAsync(redis, 2);
        string before = Repo.TempDir();
        var first = Repo.Cli(Ring(redis, before, 400));
        Assert.True(first.Code == 0, first.Err);
        // The delivered job's state and its lanes' checkpoints are deleted (its deployment stays defined).
        Assert.Empty(await KeysAsync(redis, "memgrid/state/generationjob/*"));
        Assert.Empty(await KeysAsync(redis, "memgrid/state/integratorchannel/*"));

        redisProcess.Kill();
        redisProcess.WaitForExit();
        var (_, restarted) = await _processes.StartRedisAsync(port);
        var emptied = Stopwatch.StartNew();
        await Processes.WaitFor(() => silos.All(s => s.Process.HasExited), "the silos noticing their lost membership", 40);
        foreach (var (silo, _, _) in silos)
        {
            Assert.True(silo.ExitCode == 75, $"exit {silo.ExitCode}:\n{_processes.Tail(silo)}");
            string tail = _processes.Tail(silo);
            Assert.True(tail.Contains("no longer in the cluster's membership table"), $"the silo did not say why it left:\n{tail}");
        }

        // Started again, as Kubernetes or compose would: the next job runs, with the samples of the first.
        await _processes.StartSilosAsync(restarted, 2);
        string after = Repo.TempDir();
        var second = Repo.Cli(Ring(restarted, after, 400));
        Assert.True(second.Code == 0, second.Err);
        Assert.True(emptied.Elapsed < TimeSpan.FromSeconds(90), $"healed in {emptied.Elapsed.TotalSeconds:0} s");
        Assert.Equal(File.ReadAllText(Path.Combine(before, "samples.csv")), File.ReadAllText(Path.Combine(after, "samples.csv")));
    }

    [Fact]
    public async Task A_job_whose_cluster_store_is_emptied_under_it_fails_with_one_clear_error()
    {
        int port = EmbeddedCluster.FreePort();
        var (redisProcess, redis) = await _processes.StartRedisAsync(port);
        await _processes.StartSilosAsync(redis, 2);
        string output = Repo.TempDir(create: false);
        var run = Task.Run(() => Repo.Cli(Ring(redis, output, 40_000)));
        await Processes.WaitFor(() => run.IsCompleted || KeysAsync(redis, "memgrid/state/integratorchannel/*").GetAwaiter().GetResult().Length > 0,
            "the lanes' first checkpoints", 60);
        redisProcess.Kill();
        redisProcess.WaitForExit();
        await _processes.StartRedisAsync(port);

        var (code, _, err) = await run.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(code == 69, $"exit {code}: {err}");
        Assert.StartsWith("error: ", err);
        Assert.Contains("run the command again", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(), "something was written");
    }

    /// <summary>SIGTERM to the silo that hosts the job grain, mid-job: it leaves without a stack trace in its
    /// output (the job stops driving before Orleans invalidates it), and the job finishes elsewhere with the
    /// reference simulator's samples.</summary>
    [Fact]
    public async Task A_graceful_shutdown_of_the_jobs_silo_logs_no_stack_trace_and_the_job_finishes_elsewhere()
    {
        string redis = await _processes.StartRedisAsync();
        var silos = await _processes.StartSilosAsync(redis, 2);
        using var client = ClientHost.Build(new ClusterSettings { Redis = redis });
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IClusterClient>();
        var (net, bytes) = Repo.Model("ring.onnx");
        var profile = Repo.Profile("rram-180nm");
        var options = new AnalogRunOptions { Seed = 12, LaneSize = 500 };
        const int count = 12_000;
        string jobId = $"job-{Guid.NewGuid():N}";
        var run = ClusterJobRunner.RunAsync(grains, bytes, "ring.onnx", profile, options, count, [], jobId: jobId, windowSegments: 4);
        var job = grains.GetGrain<IGenerationJobGrain>(jobId);
        await Processes.WaitFor(() => run.IsCompleted || job.GetStatusAsync().GetAwaiter().GetResult() is { LanesDone: > 0 }, "the first lane", 120);

        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        string host = hosts.Single(g => g.GrainId.ToString() == $"generationjob/{jobId}").SiloAddress.ToString();
        var victim = silos.Single(s => host.Contains($":{s.SiloPort}", StringComparison.Ordinal)).Process;
        Process.Start("kill", $"-TERM {victim.Id}")!.WaitForExit();
        Assert.True(victim.WaitForExit(60_000), "the silo did not stop within a minute of SIGTERM");
        var result = await run.WaitAsync(TimeSpan.FromMinutes(3));

        string output = _processes.Tail(victim);
        Assert.True(victim.ExitCode == 0, $"exit {victim.ExitCode}:\n{output}");
        Assert.DoesNotContain("invalid activation", output);
        Assert.False(Regex.IsMatch(output, @"(?m)^\s+at \S"), $"a stack trace in the silo's output:\n{output}");
        Assert.Equal(ReferenceSimulator.Run(net, profile, options, count, []).Samples, result.Samples);
        await client.StopAsync();
    }

    /// <summary>SIGTERM while the cluster's Redis is gone (killed) or hangs (stopped): Orleans alone waited over 90 s for its
    /// membership update; the silo exits within 30 s (Kubernetes' default grace period) with one warning line.</summary>
    [Theory]
    [InlineData("KILL")]
    [InlineData("STOP")]
    public async Task A_silo_stopped_while_redis_is_gone_exits_within_30_seconds(string redisSignal)
    {
        var (redisProcess, redis) = await _processes.StartRedisAsync(EmbeddedCluster.FreePort());
        var silo = (await _processes.StartSilosAsync(redis, 1))[0].Process;
        Process.Start("kill", $"-{redisSignal} {redisProcess.Id}")!.WaitForExit();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        Process.Start("kill", $"-TERM {silo.Id}")!.WaitForExit();
        Assert.True(silo.WaitForExit(40_000), "the silo did not stop within 40 s of SIGTERM");
        silo.WaitForExit();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the silo took {clock.Elapsed.TotalSeconds:F1} s to exit");
        string output = _processes.Tail(silo);
        Assert.True(silo.ExitCode == 0, $"exit {silo.ExitCode}:\n{output}");
        Assert.Contains("warning: the silo did not leave the cluster within 25 s", output, StringComparison.Ordinal);
        if (redisSignal == "STOP") redisProcess.Kill();
    }

    internal static async Task<RedisKey[]> KeysAsync(string redis, string pattern)
    {
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
            return connection.GetServer(connection.GetEndPoints()[0]).Keys(pattern: pattern).ToArray();
        }
        catch (RedisConnectionException) { return []; }
    }

    public void Dispose() => _processes.Dispose();
}
