using System.Diagnostics;
using StackExchange.Redis;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// A job is named by its request's content: the same <c>memgrid run</c> run again after its client was killed attaches
/// to the job still running on the cluster instead of starting a second, and a job nobody comes back for leaves the
/// store within its configured time (its keys once stayed ≈ 16 min).
/// </summary>
public sealed class JobResumeTests : IDisposable
{
    private readonly Processes _processes = new();

    private static string Memgrid(string redis, string output, int samples, string extra = "") =>
        $"\"{Path.Combine(AppContext.BaseDirectory, "memgrid.dll")}\" run --model \"{Repo.ModelPath("ring.onnx")}\" --profile rram-180nm --samples {samples} "
        + $"--lane-size 100 --seed 11 --redis {redis} --out \"{output}\" {extra}";

    /// <summary>Starts a client, waits until its lanes checkpoint, and kills it (SIGKILL: it says goodbye to nobody).</summary>
    private async Task KillClientMidJobAsync(string redis, string output, int samples)
    {
        var first = _processes.Start("dotnet", Memgrid(redis, output, samples), "dotnet not found");
        await Processes.WaitFor(() => first.HasExited || Keys(redis, "memgrid/state/integratorchannel/*").Length >= 3, "the lanes' first checkpoints", 120);
        Assert.False(first.HasExited, $"the first client ended before it was killed:\n{_processes.Tail(first)}");
        first.Kill(entireProcessTree: true);
        first.WaitForExit();
    }

    [Fact]
    public async Task A_client_killed_mid_job_and_run_again_resumes_the_same_job_with_the_reference_samples()
    {
        string redis = await _processes.StartRedisAsync();
        await _processes.StartSilosAsync(redis, 2);
        string output = Repo.TempDir(create: false), reference = Repo.TempDir(create: false);
        const int samples = 40_000; // ~15 s on two silos: the second client arrives while the job runs
        await KillClientMidJobAsync(redis, output, samples);
        var jobs = Keys(redis, "memgrid/state/generationjob/*");
        Assert.Single(jobs);

        var again = _processes.Start("dotnet", Memgrid(redis, output, samples), "dotnet not found");
        Assert.True(again.WaitForExit(300_000), "the second run did not finish");
        string log = _processes.Tail(again);
        Assert.True(again.ExitCode == 0, $"exit {again.ExitCode}:\n{log}");
        // Mid-job it resumes the job; on a loaded machine the job may finish before the second client is up, which then
        // fetches that job's result. Either way it is the first client's job, not a second one.
        var resumed = System.Text.RegularExpressions.Regex.Match(log, @"resuming job (job-[0-9a-f]+): (\d+) of (\d+) lanes done|job (job-[0-9a-f]+) had finished");
        Assert.True(resumed.Success, $"the second run did not attach to the first's job:\n{log}");
        string id = resumed.Groups[1].Success ? resumed.Groups[1].Value : resumed.Groups[4].Value;
        Assert.Contains($"/{id}/", jobs[0].ToString(), StringComparison.Ordinal);
        if (resumed.Groups[1].Success)
        {
            Assert.Equal(samples / 100, int.Parse(resumed.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
            // The work the first client's job did is kept: lanes finished while nobody watched.
            Assert.InRange(int.Parse(resumed.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 1, samples / 100 - 1);
        }

        var straight = Repo.Cli("run", "--model", Repo.ModelPath("ring.onnx"), "--profile", "rram-180nm", "--samples", $"{samples}", "--seed", "11",
            "--simulator", "reference", "--out", reference);
        Assert.True(straight.Code == 0, straight.Err);
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "samples.csv")), File.ReadAllText(Path.Combine(output, "samples.csv")));
        // Delivered: the store keeps nothing of the job.
        Assert.Empty(Keys(redis, "memgrid/state/generationjob/*"));
        Assert.Empty(Keys(redis, "memgrid/state/integratorchannel/*"));
    }

    [Fact]
    public async Task A_job_nobody_comes_back_for_stops_and_leaves_the_store_within_its_abandon_time()
    {
        string redis = await _processes.StartRedisAsync();
        var silos = await _processes.StartSilosAsync(redis, 2, settings: new Dictionary<string, string> { ["MEMGRID_JOB_ABANDON_SECONDS"] = "6" });
        await KillClientMidJobAsync(redis, Repo.TempDir(create: false), 40_000);
        var killed = Stopwatch.StartNew();
        await Processes.WaitFor(() => Keys(redis, "memgrid/state/generationjob/*").Length == 0 && Keys(redis, "memgrid/state/integratorchannel/*").Length == 0,
            "the abandoned job's keys to go", 60);
        // 6 s of silence, checked every 1.5 s; lanes stop at their next window.
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(30), $"the abandoned job's keys went {killed.Elapsed.TotalSeconds:0} s after its client");
        await Processes.WaitFor(() => silos.Any(s => _processes.Tail(s.Process).Contains("abandoned: no client asked for it", StringComparison.Ordinal)),
            "the silo's line about the abandoned job", 10);
        Assert.All(silos, s => Assert.False(s.Process.HasExited, $"a silo exited:\n{_processes.Tail(s.Process)}"));
    }

    private static RedisKey[] Keys(string redis, string pattern)
    {
        using var connection = ConnectionMultiplexer.Connect(redis);
        return connection.GetServer(connection.GetEndPoints()[0]).Keys(pattern: pattern).ToArray();
    }

    public void Dispose() => _processes.Dispose();
}
