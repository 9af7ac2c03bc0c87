using System.Diagnostics;
using MemristorGrid.Hosting;
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
            Assert.Contains("no longer in the cluster's membership table", _processes.Tail(silo));
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

    private static async Task<RedisKey[]> KeysAsync(string redis, string pattern)
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
