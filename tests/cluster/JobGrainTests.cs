using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains;
using MemristorGrid.Grains.Wire;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace MemristorGrid.Cluster.Tests;

/// <summary>Two silos that each offer 3 lane slots, whatever the machine's cores.</summary>
public sealed class TwoSlotLimitedSilos : IAsyncLifetime
{
    public const int SlotsPerSilo = 3;
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.AddMemristorGridGrains(laneSlots: SlotsPerSilo).AddMemoryGrainStorage(Storage.Name));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>What the job grain decides: how many lanes run at once, and which restarts are the same job.</summary>
public class JobGrainTests(TwoSlotLimitedSilos fixture) : IClassFixture<TwoSlotLimitedSilos>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    [Fact]
    public async Task Lanes_in_flight_are_the_silos_own_slots_not_the_clients_cores()
    {
        var (_, bytes) = Repo.Model("ring.onnx");
        var job = await KeptJobs.RunAsync(Grains, bytes, "ring.onnx", Repo.Profile("ideal"), new AnalogRunOptions { ScheduleScale = 2, LaneSize = 10 }, 40, []);
        var status = await job.GetStatusAsync();
        Assert.True(status.Finished);
        Assert.Equal(2 * TwoSlotLimitedSilos.SlotsPerSilo, status.LaneSlots);
    }

    /// <summary>A job sends each silo twice as many lanes as it has slots; the ones beyond wait there, so a
    /// silo never drives more lanes at once than its slots, and every silo drove some.</summary>
    [Fact]
    public async Task A_silo_drives_no_more_lanes_at_once_than_its_slots()
    {
        var (_, bytes) = Repo.Model("ring.onnx");
        var job = await KeptJobs.RunAsync(Grains, bytes, "ring.onnx", Repo.Profile("rram-180nm"), new AnalogRunOptions { LaneSize = 20 }, 800, []);
        Assert.True((await job.GetStatusAsync()).Finished);
        var peaks = fixture.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<Grains.Placement.SiloLaneSlots>().PeakDriving).ToList();
        Assert.All(peaks, peak => Assert.InRange(peak, 1, TwoSlotLimitedSilos.SlotsPerSilo));
    }

    [Fact]
    public async Task The_same_job_id_with_other_labels_is_refused()
    {
        var (_, bytes) = Repo.Model("hku.onnx");
        var options = new AnalogRunOptions { ScheduleScale = 1.5, LaneSize = 10 }.ToWire();
        var deployment = new DeploymentSpec(bytes, "hku.onnx", Repo.Profile("ideal").ToJson(), 1);
        var spec = new JobSpec(deployment, options, 6, [0, 0, 1, 1, 2, 2], LaneSchedule.WindowSegments, TilePlacementMode.Local);
        var job = Grains.GetGrain<IGenerationJobGrain>($"job-{Guid.NewGuid():N}");
        await job.StartAsync(spec);
        await job.StartAsync(spec with { Labels = [0, 0, 1, 1, 2, 2] }); // the same work, a new array: accepted
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => job.StartAsync(spec with { Labels = [2, 2, 1, 1, 0, 0] }));
        Assert.Contains("different spec", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => job.StartAsync(spec with { Options = options with { Seed = 99 } }));
    }

    /// <summary>
    /// Another activation's write lands between two of the job's own (a silo leaving while the next is
    /// activated): the job's next write is refused for its stale ETag, merges the stored copy — here an
    /// older one with no lane done and 5 re-drives — and goes on; the job finishes with every lane and
    /// the larger re-drive count, instead of failing with "state lost".
    /// </summary>
    [Fact]
    public async Task A_write_that_races_another_activation_merges_instead_of_failing()
    {
        var (_, bytes) = Repo.Model("ring.onnx");
        var options = new AnalogRunOptions { LaneSize = 10, Seed = 4 };
        string key = $"job-{Guid.NewGuid():N}";
        var job = Grains.GetGrain<IGenerationJobGrain>(key);
        var spec = new JobSpec(new DeploymentSpec(bytes, "ring.onnx", Repo.Profile("rram-180nm").ToJson(), options.ProgramSeed), options.ToWire(), 2000, [],
            LaneSchedule.WindowSegments, TilePlacementMode.Local);
        // 200 lanes of 10: once the first is done, many waves of lanes remain for the racing write to land
        // in (with 20 lanes a fast engine finished the job before it, and the job never wrote again).
        await job.StartAsync(spec);
        await Processes.WaitFor(() => job.GetStatusAsync().GetAwaiter().GetResult().LanesDone >= 1, "a first lane", 60);

        var storage = Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions
            .GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(fixture.Cluster.Silos[0].ServiceProvider, Storage.Name);
        var grainId = GrainId.Create("generationjob", key);
        for (int attempt = 1; ; attempt++) // the job itself writes as lanes finish: read, change and write until ours lands
        {
            var stored = new Orleans.GrainState<Grains.Jobs.JobState>();
            await storage.ReadStateAsync("job", grainId, stored);
            var older = Assert.IsType<Grains.Jobs.JobState>(stored.State);
            Assert.NotNull(older.Spec);
            older.LaneDone = new bool[older.LaneDone.Length];
            older.Redrives = 5;
            try { await storage.WriteStateAsync("job", grainId, stored); break; }
            catch (Orleans.Storage.InconsistentStateException) when (attempt < 20) { }
        }

        await Processes.WaitFor(() => job.GetStatusAsync().GetAwaiter().GetResult() is { Finished: true } or { Error: not null }, "the job to end", 120);
        var status = await job.GetStatusAsync();
        Assert.True(status.Error is null, status.Error);
        Assert.False(status.StateLost);
        Assert.Equal(200, status.LanesDone);
        Assert.True(status.LaneRetries >= 5, $"re-drives {status.LaneRetries}: the stored copy was not merged");
        Assert.Equal(2000, (await job.GetResultAsync()).ToEngine().SampleCount);
    }
}
