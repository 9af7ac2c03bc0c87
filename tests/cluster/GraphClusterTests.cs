using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Graphs.Import;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Deployments;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>
/// The shipped U-Net (models/unet-digits.onnx: 272 tiles on 17 chips of rram-180nm, its loop derived) on three silo processes
/// clustered through a real redis-server, its chips dealt over the silos (<c>--placement chips</c>): every layer's partial sums
/// cross processes. The silo hosting the job grain is killed mid-job; the samples must still be the reference simulator's, bit
/// for bit. It runs alone: beside the other multi-process tests on two cores (a podman cluster, a hung silo), one CI run saw the
/// chips stay on two silos for the whole job.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class GraphClusterTests : IDisposable
{
    private readonly Processes _processes = new();

    [Fact]
    public async Task A_unet_job_over_three_silo_processes_survives_a_killed_silo_with_the_reference_samples()
    {
        byte[] bytes = File.ReadAllBytes(Repo.ModelPath("unet-digits.onnx"));
        var graph = GraphImporter.FromBytes(bytes, "unet-digits.onnx");
        var profile = HardwareProfile.Resolve("rram-180nm");
        // The reverse SDE: a fixed number of network passes a segment, so the job's length is known (the ODE's noisy steps are not).
        var options = new AnalogRunOptions { Kind = SamplerKind.Sde, Seed = 3, ProgramSeed = 3, LaneSize = 1, ScheduleScale = graph.Metadata.SamplingScheduleScale };
        GraphLoopDesign design;
        using (var ort = new OnnxRuntimeScoreModel(bytes, graph))
            design = GraphLoopDesign.Design(graph, GraphPlan.Create(graph, profile.Mapping), profile, options, ort);
        var machine = new AnalogGraph(graph, design.Profile, options.ProgramSeed, SignalRanges.Probe(graph, options.ScheduleScale, options.StartTime, options.EndTime));
        Assert.True(machine.Plan.ChipCount >= 8, $"{machine.Plan.ChipCount} chips");
        const int count = 4;
        var reference = GraphSimulator.Run(machine, design, options, count, []); // its own lane size: the samples do not depend on it

        string redis = await _processes.StartRedisAsync();
        var silos = await _processes.StartSilosAsync(redis, 3);
        using var client = ClientHost.Build(new ClusterSettings { Redis = redis });
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IClusterClient>();
        string jobId = $"job-{Guid.NewGuid():N}";
        var run = ClusterJobRunner.RunGraphAsync(grains, bytes, "unet-digits.onnx", design.Profile, GraphDeployment.StagingBytes(machine.Ranges), options, count, [],
            jobId: jobId, windowSegments: 2, placement: TilePlacementMode.Chips);
        var job = grains.GetGrain<IGenerationJobGrain>(jobId);
        JobStatus statusAtKill = null!;
        var management = grains.GetGrain<IManagementGrain>(0);
        DetailedGrainStatistic[] hosts = [];
        // The graph's chips really are spread over the three processes. A silo that placed chips before its membership
        // view held all three silos put them on two; they move when its view catches up (ChipHome), so wait for both.
        await Processes.WaitFor(() => !run.IsCompleted && (statusAtKill = job.GetStatusAsync().GetAwaiter().GetResult()) is { Segments: > 0 } s
            && s.SegmentsDone > s.Segments / 5
            && ChipSilos(hosts = management.GetDetailedGrainStatistics().GetAwaiter().GetResult()) == 3,
            "a fifth of the job with the chips on all three silos", 300,
            () => $"run {(run.IsCompleted ? "completed" : "running")}, {statusAtKill?.SegmentsDone} of {statusAtKill?.Segments} segments; "
                + $"active silos {management.GetHosts(onlyActive: true).GetAwaiter().GetResult().Count}; silo processes "
                + string.Join(", ", silos.Select(s => s.Process.HasExited ? $"exited {s.Process.ExitCode}" : "running")) + "; "
                + string.Join("; ", hosts.Where(IsChip).Select(g => $"{g.GrainId} on {g.SiloAddress}")));
        string jobSilo = hosts.Single(g => g.GrainId.ToString() == $"generationjob/{jobId}").SiloAddress.ToString();
        silos.Single(s => jobSilo.Contains($":{s.SiloPort}", StringComparison.Ordinal)).Process.Kill(entireProcessTree: true);

        var result = await run.WaitAsync(TimeSpan.FromMinutes(8));
        Assert.True(result.LaneRetries >= 1, $"the lanes that died with the silo should be re-driven (at the kill: {statusAtKill.LanesDone} of {statusAtKill.Lanes} lanes, "
            + $"{statusAtKill.SegmentsDone} of {statusAtKill.Segments} segments)");
        Assert.Equal(System.Runtime.InteropServices.MemoryMarshal.AsBytes(reference.Samples.AsSpan()).ToArray(), result.Samples);
        Assert.Equal(reference.Counters.SampleEvaluations, result.Counters.SampleEvaluations); // the reference ran lanes of its own size
        Assert.Equal(reference.Counters.DigitalConversions, result.Counters.DigitalConversions);
        Assert.True(reference.Counters.DigitalConversions > 0);
        Assert.Equal(reference.TileMvms, result.TileMvms);
        // Energy is summed over lanes, in an order that follows the lane size: equal to rounding.
        var energy = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(result.TileCellEnergyJoules).ToArray();
        Assert.All(reference.TileCellEnergyJoules.Zip(energy), e => Assert.Equal(e.First, e.Second, e.First * 1e-12));
        await client.StopAsync();
    }

    private static bool IsChip(DetailedGrainStatistic g) => g.GrainType.Contains("PlacedGraphChipGrain", StringComparison.Ordinal);

    private static int ChipSilos(DetailedGrainStatistic[] hosts) => hosts.Where(IsChip).Select(g => g.SiloAddress).Distinct().Count();

    public void Dispose() => _processes.Dispose();
}
