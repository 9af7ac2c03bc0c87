using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// The real multi-node setup on one machine: a redis-server, three silo processes clustered through
/// it, and a client. Silos are killed mid-job and mid-sweep; results must equal the reference's.
/// </summary>
public sealed class MultiProcessRedisTests : IDisposable
{
    private readonly Processes _processes = new();

    /// <summary>The silo that hosts the job grain is killed mid-job: the job's state, a third of its lanes and
    /// the client's status poll in flight go with it. The job resumes on another silo within seconds (a poll
    /// to the dead silo once waited out Orleans' 30 s response timeout) with exactly the reference samples.</summary>
    [Fact]
    public async Task A_job_survives_a_killed_silo_with_identical_samples()
    {
        var (redis, silos) = await StartThreeSilosAsync();
        using var client = ClientHost.Build(new ClusterSettings { Redis = redis });
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IClusterClient>();

        var (net, bytes) = Repo.Model("ring.onnx");
        var profile = Repo.Profile("rram-180nm");
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 11, LaneSize = 100 };
        const int count = 6000; // a job of several seconds: the kill must land while most lanes still run
        var reference = ReferenceSimulator.Run(net, profile, options, count, []);

        string jobId = $"job-{Guid.NewGuid():N}";
        var run = ClusterJobRunner.RunAsync(grains, bytes, "ring.onnx", profile, options, count, [], jobId: jobId, windowSegments: 4);
        var job = grains.GetGrain<IGenerationJobGrain>(jobId);
        JobStatus statusAtKill = null!;
        await Processes.WaitFor(() => !run.IsCompleted && (statusAtKill = job.GetStatusAsync().GetAwaiter().GetResult()) is { Segments: > 0 } s
            && s.SegmentsDone > s.Segments / 10, "a tenth of the job", 120);
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        string jobSilo = hosts.Single(g => g.GrainId.ToString() == $"generationjob/{jobId}").SiloAddress.ToString();
        var victim = silos.Single(s => jobSilo.Contains($":{s.SiloPort}", StringComparison.Ordinal));
        var sinceKill = System.Diagnostics.Stopwatch.StartNew();
        victim.Process.Kill(entireProcessTree: true);

        var result = await run.WaitAsync(TimeSpan.FromMinutes(4));
        Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(20), $"the job finished {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill (3-6 s expected)");
        Assert.True(victim.Process.HasExited);
        // No tile of the deployment is placed on the dead silo any more.
        var spec = new DeploymentSpec(bytes, "ring.onnx", profile.ToJson(), options.ProgramSeed);
        var after = await grains.GetGrain<IDeploymentGrain>(spec.Id()).GetPlacementAsync();
        Assert.DoesNotContain(after, p => p.Silo == jobSilo);
        // The lanes that died with the silo were re-driven, and the count survived the job grain's move.
        Assert.True(result.LaneRetries >= 1, $"the report should count the re-driven lanes, got {result.LaneRetries} "
            + $"(at the kill: {statusAtKill.LanesDone} of {statusAtKill.Lanes} lanes done, {statusAtKill.SegmentsDone} of {statusAtKill.Segments} segments)");
        Assert.Equal(reference.Samples, result.Samples);
        Assert.Equal(reference.Counters.NetworkEvaluations, result.Counters.NetworkEvaluations);
        Assert.Equal(reference.Tiles.Select(t => t.MvmCount), result.Tiles.Select(t => t.MvmCount));
        await client.StopAsync();
    }

    /// <summary>A design-space sweep on the three-process cluster, one silo killed after the first cell: every
    /// cell (metrics and sample hashes) equals the same sweep on the embedded silo.</summary>
    [Fact]
    public async Task A_sweep_survives_a_killed_silo_with_every_cell_identical_to_the_embedded_silo()
    {
        string[] sweep = ["sweep", "--model", Repo.ModelPath("ring.onnx"), "--set", "device.read_noise_sigma=0,0.02", "--chips", "2",
            "--samples", "400", "--parallel", "1"];
        string embedded = Repo.TempDir(), clustered = Repo.TempDir();
        var straight = Repo.Cli([.. sweep, "--out", embedded]);
        Assert.True(straight.Code == 0, straight.Err);

        var (redis, silos) = await StartThreeSilosAsync();
        var run = Task.Run(() => Repo.Cli([.. sweep, "--redis", redis, "--out", clustered]));
        string cells = Path.Combine(clustered, "cells");
        await Processes.WaitFor(() => run.IsCompleted || (Directory.Exists(cells) && Directory.GetFiles(cells, "*.json").Length >= 1), "the first cell", 180);
        int finishedAtKill = Directory.GetFiles(cells, "*.json").Length;
        Assert.InRange(finishedAtKill, 1, 3);
        silos[1].Process.Kill(entireProcessTree: true);

        var result = await run.WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(result.Code == 0, result.Err);
        Assert.Contains("on the cluster (local placement)", result.Out);
        Assert.Equal(File.ReadAllText(Path.Combine(embedded, "sweep.csv")), File.ReadAllText(Path.Combine(clustered, "sweep.csv")));
    }

    /// <summary>
    /// The large latent model (Fashion-MNIST, 10 classes, 49 tiles on 4 chips) as a partitioned
    /// multi-chip deployment: each chip's tiles on one silo of the three-process cluster, every layer
    /// pass crossing processes. Its samples and decoded-image metrics equal the reference simulator's.
    /// </summary>
    [Fact]
    public async Task The_large_latent_model_runs_partitioned_over_three_silo_processes()
    {
        string model = Repo.ModelPath("fashion.onnx");
        string[] run = ["run", "--model", model, "--profile", "rram-180nm", "--samples", "2", "--seed", "5"];
        string reference = Repo.TempDir(), clustered = Repo.TempDir();
        var straight = Repo.Cli([.. run, "--simulator", "reference", "--out", reference]);
        Assert.True(straight.Code == 0, straight.Err);

        var (redis, silos) = await StartThreeSilosAsync();
        var result = Repo.Cli([.. run, "--redis", redis, "--placement", "chips", "--out", clustered]);
        Assert.True(result.Code == 0, result.Err);
        Assert.Contains("49 tiles, 4 chip(s)", result.Out);
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "samples.csv")), File.ReadAllText(Path.Combine(clustered, "samples.csv")));
        var images = (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(clustered, "report.json")))!)["images"]!;
        var expected = (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(reference, "report.json")))!)["images"]!;
        Assert.Equal(10, images["per_class"]!.AsObject().Count);
        Assert.Equal(expected["pooled"]!.ToJsonString(), images["pooled"]!.ToJsonString());
        // Its scores cross the last chip's ADC to reach the integrators; near t → 0 they exceed its full scale, and that is counted.
        long clipped = (long)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(clustered, "report.json")))!["score_adc_overflows"]!;
        Assert.True(clipped > 0);
        Assert.Equal((long)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(reference, "report.json")))!["score_adc_overflows"]!, clipped);
        Assert.True(File.Exists(Path.Combine(clustered, "images.png")));
    }

    /// <summary>A redis-server and three silo processes, returned once all three are active in the cluster.</summary>
    private async Task<(string Redis, List<(System.Diagnostics.Process Process, int SiloPort, int HealthPort)> Silos)> StartThreeSilosAsync()
    {
        string redis = await _processes.StartRedisAsync();
        return (redis, await _processes.StartSilosAsync(redis, 3));
    }

    public void Dispose() => _processes.Dispose();
}
