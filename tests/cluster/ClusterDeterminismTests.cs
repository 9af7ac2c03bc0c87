using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Hosting;

namespace MemristorGrid.Cluster.Tests;

/// <summary>The grain system on three silos returns exactly what the reference simulator returns.</summary>
public class ClusterDeterminismTests(ThreeSiloCluster fixture) : IClassFixture<ThreeSiloCluster>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    /// <summary>Each sample is its own run: the cluster cut into other lane sizes, with tiles local to each
    /// lane's silo or placed with their chips, returns exactly what the reference returns.</summary>
    [Theory]
    [InlineData("ring.onnx", "rram-180nm", 300, "ode", "local", 7)]
    [InlineData("ring.onnx", "ideal", 60, "ode", "chips", 1)]
    [InlineData("ring.onnx", "mcu-demo", 200, "sde", "local", 500)]
    [InlineData("hku.onnx", "rram-180nm", 40, "ode", "chips", 7)]
    [InlineData("hku.onnx", "ideal", 10, "sde", "local", 1)]
    [InlineData("gmm16.onnx", "rram-180nm", 9, "ode", "local", 1)]
    [InlineData("gmm16.onnx", "ideal", 9, "ode", "chips", 4)]
    public async Task Three_silos_reproduce_the_reference_bit_for_bit(string model, string profileName, int perLabel, string sampler, string placement, int laneSize)
    {
        var (net, bytes) = Repo.Model(model);
        var profile = Repo.Profile(profileName);
        int[] labels = net.IsConditional ? Enumerable.Range(0, net.ClassCount).SelectMany(c => Enumerable.Repeat(c, perLabel)).ToArray() : [];
        int count = labels.Length > 0 ? labels.Length : perLabel;
        var options = new AnalogRunOptions
        {
            Kind = sampler == "sde" ? SamplerKind.Sde : SamplerKind.Ode,
            ScheduleScale = net.Metadata.SamplingScheduleScale,
            GuidanceWeight = net.IsConditional ? 1 : 0,
            Seed = 4,
            ProgramSeed = 2,
            Substeps = 2,
            ContinuousSegments = 20,
        };
        var reference = ReferenceSimulator.Run(net, profile, options with { LaneSize = 500 }, count, labels);
        var grains = await ClusterJobRunner.RunAsync(Grains, bytes, model, profile, options with { LaneSize = laneSize }, count, labels,
            placement: placement == "chips" ? TilePlacementMode.Chips : TilePlacementMode.Local);
        Assert.Equal(reference.Samples, grains.Samples);
        Assert.Equal(reference.Counters with { NetworkEvaluations = 0 }, grains.Counters with { NetworkEvaluations = 0 });
        Assert.Equal(reference.TotalEnergyJoules, grains.TotalEnergyJoules, 1e-12 * reference.TotalEnergyJoules);
        Assert.Equal(reference.Tiles.Select(t => t.MvmCount), grains.Tiles.Select(t => t.MvmCount));
        Assert.Equal(laneSize, grains.LaneSize);
    }

    [Fact]
    public async Task Chips_are_spread_over_silos_and_a_chip_stays_on_one_silo()
    {
        var (net, bytes) = Repo.Model("gmm16.onnx");
        var profile = Repo.Profile("rram-180nm");
        var spec = new DeploymentSpec(bytes, "gmm16.onnx", profile.ToJson(), 1);
        var deployment = Grains.GetGrain<IDeploymentGrain>(spec.Id());
        await deployment.DefineAsync(spec);
        var placement = await deployment.GetPlacementAsync();
        Assert.Equal(49, placement.Length);
        var byChip = placement.GroupBy(p => p.Chip).ToList();
        Assert.Equal(4, byChip.Count);
        Assert.All(byChip, chip => Assert.Single(chip.Select(p => p.Silo).Distinct()));
        Assert.Equal(3, placement.Select(p => p.Silo).Distinct().Count());
    }

    /// <summary>A job reads membership, then asks each silo for its lane slots. A silo killed in between may
    /// still be listed (CI saw it): it has no slots, and the job starts on the others instead of failing.</summary>
    [Fact]
    public async Task A_silo_gone_since_the_membership_read_has_no_lane_slots()
    {
        var (_, bytes) = Repo.Model("ring.onnx");
        var spec = new DeploymentSpec(bytes, "ring.onnx", Repo.Profile("ideal").ToJson(), 1);
        await Grains.GetGrain<IDeploymentGrain>(spec.Id()).DefineAsync(spec);
        var gone = Orleans.Runtime.SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), 1);
        await Assert.ThrowsAsync<Orleans.Runtime.SiloUnavailableException>(
            () => Grains.GetGrain<ISiloCapacityGrain>(gone.ToParsableString()).EnlistForJobAsync(spec.Id(), "job-gone"));
        Assert.Equal(0, await MemristorGrid.Grains.Placement.SiloCapacityGrain.SlotsOfAsync(Grains, gone, spec.Id(), "job-gone"));
        var live = fixture.Cluster.Silos[0].SiloAddress;
        Assert.True(await MemristorGrid.Grains.Placement.SiloCapacityGrain.SlotsOfAsync(Grains, live, spec.Id(), "job-gone") > 0);
    }

    /// <summary>Every crossbar tile is a grain: on each silo that runs a lane, one activation per tile serves the lane's MVMs
    /// and records the tile's telemetry (from inside that activation), and the MVMs add up to the reference's per tile.</summary>
    [Fact]
    public async Task By_default_lanes_are_spread_over_the_silos_and_each_silo_serves_them_from_one_grain_per_tile()
    {
        var (net, bytes) = Repo.Model("gmm16.onnx");
        var profile = Repo.Profile("ideal");
        string deployment = new DeploymentSpec(bytes, "gmm16.onnx", profile.ToJson(), 77).Id();
        var mvms = new System.Collections.Concurrent.ConcurrentDictionary<(string Silo, string Tile), long>();
        var recordedBy = new System.Collections.Concurrent.ConcurrentBag<(string Silo, string Tile, string? Grain, string? Activation)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == "memristorgrid.tile.mvms") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? dep = null, silo = null, tile = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "deployment") dep = tag.Value as string;
                if (tag.Key == "silo") silo = tag.Value as string;
                if (tag.Key == "tile") tile = tag.Value as string;
            }
            if (dep != deployment || silo is null || tile is null) return;
            mvms.AddOrUpdate((silo, tile), value, (_, v) => v + value);
            var grain = CurrentGrain();
            recordedBy.Add((silo, tile, grain?.GrainId.ToString(), grain?.ActivationId.ToString()));
        });
        listener.Start();
        var options = new AnalogRunOptions { LaneSize = 2, Kind = SamplerKind.Sde, Substeps = 1, ProgramSeed = 77 };
        await KeptJobs.RunAsync(Grains, bytes, "gmm16.onnx", profile, options, 6, []); // lanes kept to be counted
        listener.Dispose();

        var stats = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var laneSilos = stats.Where(g => g.GrainType.Contains("IntegratorChannelGrain")).Select(g => g.SiloAddress.ToString()).Distinct().ToList();
        Assert.Equal(3, laneSilos.Count); // three equal lanes, one per silo
        // Stateless workers are not listed by the management grain: the activations are those that recorded the MVMs.
        var plan = Engine.Partitioning.DeploymentPlan.Create(net, profile.Mapping);
        Assert.All(recordedBy.GroupBy(r => (r.Silo, r.Tile)), calls => Assert.Single(calls.Select(r => r.Activation).Distinct()));
        Assert.All(recordedBy.GroupBy(r => r.Silo), silo => Assert.Equal(plan.Tiles.Count, silo.Select(r => r.Activation).Distinct().Count()));
        // Telemetry: each silo served exactly its own lane's MVMs, every tile's from inside the tile's grain.
        Assert.Equal(3, mvms.Keys.Select(k => k.Silo).Distinct().Count());
        Assert.Single(mvms.GroupBy(k => k.Key.Silo).Select(silo => silo.Sum(t => t.Value)).Distinct());
        Assert.All(recordedBy, r => Assert.EndsWith($"/tile{plan.Tiles.Single(t => t.Id == r.Tile).Index}", r.Grain ?? "(outside a grain)"));
        Assert.All(recordedBy, r => Assert.StartsWith("localtile/", r.Grain!));
        Assert.Equal(plan.Tiles.Count, recordedBy.Select(r => r.Grain).Distinct().Count());
        var reference = ReferenceSimulator.Run(net, profile, options, 6, []);
        Assert.Equal(reference.Tiles.ToDictionary(t => t.Id, t => t.MvmCount),
            mvms.GroupBy(k => k.Key.Tile).ToDictionary(g => g.Key, g => g.Sum(t => t.Value)));
    }

    /// <summary>The grain whose turn is running on this thread (Orleans keeps it in an internal property: read by reflection).</summary>
    private static Orleans.Runtime.IGrainContext? CurrentGrain() =>
        (Orleans.Runtime.IGrainContext?)typeof(Orleans.Runtime.IGrainContext).Assembly.GetType("Orleans.Runtime.RuntimeContext")!
            .GetProperty("Current", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!.GetValue(null);

    [Fact]
    public async Task Deactivating_tiles_and_lanes_mid_run_changes_nothing()
    {
        var (net, bytes) = Repo.Model("ring.onnx");
        var profile = Repo.Profile("rram-180nm");
        var options = new AnalogRunOptions { ScheduleScale = 2, Seed = 7, LaneSize = 100 };
        // Long enough for several collections: at 8 000 samples a quiet CI machine once finished the job (lanes now
        // release their state when done) before the second collection.
        const int count = 20_000;
        var reference = ReferenceSimulator.Run(net, profile, options, count, []);

        string jobId = $"job-{Guid.NewGuid():N}";
        var run = ClusterJobRunner.RunAsync(Grains, bytes, "ring.onnx", profile, options, count, [], jobId: jobId, windowSegments: 4);
        var job = Grains.GetGrain<IGenerationJobGrain>(jobId);
        var management = Grains.GetGrain<IManagementGrain>(0);
        int collections = 0;
        // Until the job has finished: a finished job collected idle forgets itself (its client is taken to have
        // gone), which is not what this test is about.
        while (!run.IsCompleted && !(await job.GetStatusAsync()).Finished)
        {
            // Collects every activation idle at this instant: chips between calls, lanes between windows.
            await management.ForceActivationCollection(TimeSpan.Zero);
            collections++;
            // Often enough that a quiet machine, which finishes the job in well under a second, still sees it collected mid-run.
            await Task.Delay(20);
        }
        var grains = await run;
        Assert.True(collections >= 2, $"the run ended after {collections} collections");
        Assert.Equal(reference.Samples, grains.Samples);
        Assert.Equal(reference.Counters.NetworkEvaluations, grains.Counters.NetworkEvaluations);
    }
}
