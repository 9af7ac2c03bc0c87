using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;
using MemristorGrid.Grains;
using MemristorGrid.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace MemristorGrid.Cluster.Tests;

/// <summary>Grain keys, run settings, checkpoints, results and deployment ids survive their round trips exactly.</summary>
public class WireTests
{
    private static readonly Serializer Orleans = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(RunSummary).Assembly))
        .BuildServiceProvider().GetRequiredService<Serializer>();

    /// <summary>What a type carries: its public fields and settable (or init) properties, not what it computes.</summary>
    private static SortedSet<string> Carried(Type type) => new(type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Select(f => f.Name)
        .Concat(type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.SetMethod is not null && p.Name != "EqualityContract").Select(p => p.Name)),
        StringComparer.Ordinal);

    /// <summary>The wire keeps its mirrors of the engine's records (docs/architecture.md, "The wire"): each engine field must have
    /// its same-named wire field, so a field added to one side and forgotten on the other fails here, not in a cluster.</summary>
    [Theory]
    [InlineData(typeof(LaneCounters), typeof(CountersData), "")]
    [InlineData(typeof(Engine.Accounting.TileReport), typeof(TileCost), "")]
    [InlineData(typeof(Engine.Accounting.ChipLink), typeof(LinkCost), "")]
    [InlineData(typeof(Engine.Accounting.EnergyBreakdown), typeof(EnergyData), "")]
    [InlineData(typeof(Engine.Accounting.AnalogRunResult), typeof(RunSummary), "Wall")] // the client's own clock
    [InlineData(typeof(AnalogRunOptions), typeof(RunSettings), "Kind")] // Kind travels as Sampler
    public void Every_engine_field_has_its_wire_field(Type engine, Type wire, string notOnTheWire)
    {
        var missing = Carried(engine).Except(Carried(wire)).Except(notOnTheWire.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.True(missing.Count == 0, $"{wire.Name} lacks {string.Join(", ", missing)} of {engine.Name}");
    }

    /// <summary>Through Orleans' own serializer, as a message or a stored grain state travels.</summary>
    private static T Travel<T>(T value) => Orleans.Deserialize<T>(Orleans.SerializeToArray(value))!;

    [Fact]
    public void Chip_keys_parse_back_into_what_built_them_and_malformed_keys_are_refused()
    {
        var (net, _) = Repo.Model("gmm16.onnx");
        var plan = DeploymentPlan.Create(net, Repo.Profile("rram-180nm").Mapping);
        Assert.Equal(4, plan.ChipCount);
        for (int chip = 0; chip < plan.ChipCount; chip++)
            Assert.Equal(new GrainKeys.ChipKey("dep-0123abcd", chip), GrainKeys.ParseChip(GrainKeys.Chip("dep-0123abcd", chip)));
        foreach (var bad in new[] { "dep", "dep/chip", "dep/chip2/", "dep/chipX", "dep/chip-1", "dep/labels", "/chip1", "dep/chip1/L0/r0/c0" })
            Assert.False(GrainKeys.TryParseChip(bad, out _), bad);
        Assert.Equal("dep-1", GrainKeys.DeploymentOfLabels(GrainKeys.Labels("dep-1")));
        Assert.Throws<ArgumentException>(() => GrainKeys.DeploymentOfLabels("dep-1/chip0"));
    }

    [Fact]
    public void Run_settings_carry_every_option()
    {
        var options = new AnalogRunOptions
        {
            Kind = SamplerKind.Sde,
            StartTime = 0.9,
            EndTime = 2e-4,
            ScheduleScale = 1.5,
            GuidanceWeight = 0.75f,
            Seed = 7,
            ProgramSeed = 11,
            LaneSize = 33,
            RelativeTolerance = 3e-5,
            AbsoluteTolerance = 4e-6,
            SdeScheme = SdeScheme.EulerMaruyama,
            Substeps = 3,
            ContinuousSegments = 17,
        };
        Assert.Equal(options, Travel(options.ToWire()).ToEngine());
        Assert.Equal(new AnalogRunOptions(), new AnalogRunOptions().ToWire().ToEngine());
    }

    [Fact]
    public async Task A_checkpoint_stored_and_restored_resumes_exactly()
    {
        var (net, _) = Repo.Model("hku.onnx");
        var profile = Repo.Profile("mcu-demo");
        var plan = DeploymentPlan.Create(net, profile.Mapping);
        var options = new AnalogRunOptions { Kind = SamplerKind.Sde, GuidanceWeight = 1, Seed = 3, Substeps = 1 };
        var driver = new LaneDriver(net, profile, plan, options, LabelEncoder.Of(net));
        var tiles = new LocalChipTransport(net, plan, profile, ReferenceSimulator.Program(plan, net, profile, 1));
        int[] labels = [0, 2, 1, 1];
        var straight = driver.CreateLane(8, 4, labels);
        await driver.AdvanceAsync(straight, tiles, int.MaxValue);

        var lane = driver.CreateLane(8, 4, labels);
        await driver.AdvanceAsync(lane, tiles, 37);
        var assignment = new LaneAssignment("dep-x", options.ToWire(), 8, 4, labels, TilePlacementMode.Chips);
        var stored = new LaneCheckpoint();
        WireFormat.Save(lane, assignment, stored);
        var restored = WireFormat.Restore(Travel(stored));
        Assert.Equal(lane.X, restored.X);
        Assert.Equal(lane.Segment, restored.Segment);
        Assert.Equal(lane.StepSizes, restored.StepSizes);
        Assert.Equal(lane.TileCellEnergyJoules, restored.TileCellEnergyJoules);
        Assert.Equal(lane.TileMvms, restored.TileMvms);
        Assert.Equal(lane.Counters, restored.Counters);
        Assert.Equal(labels, restored.Labels);
        Assert.True(Travel(stored).Assignment!.SameAs(assignment));

        await driver.AdvanceAsync(restored, tiles, int.MaxValue);
        Assert.Equal(straight.X, restored.X);
        Assert.Equal(straight.Counters, restored.Counters);
        Assert.Equal(straight.TileCellEnergyJoules, restored.TileCellEnergyJoules);
    }

    /// <summary>A finished lane's checkpoint (kept until its job ends) drops the solver's resume state and keeps
    /// everything its result needs: the run's figures from it equal those from the full checkpoint.</summary>
    [Fact]
    public async Task A_finished_lanes_checkpoint_keeps_its_result_without_resume_state()
    {
        var (net, _) = Repo.Model("ring.onnx");
        var profile = Repo.Profile("rram-180nm");
        var plan = DeploymentPlan.Create(net, profile.Mapping);
        var options = new AnalogRunOptions { Kind = SamplerKind.Ode, Seed = 5 };
        var driver = new LaneDriver(net, profile, plan, options, LabelEncoder.Of(net));
        var tiles = new LocalChipTransport(net, plan, profile, ReferenceSimulator.Program(plan, net, profile, 1));
        var lane = driver.CreateLane(0, 6, []);
        await driver.AdvanceAsync(lane, tiles, int.MaxValue);
        Assert.NotEmpty(lane.StepSizes); // the ODE controller's resume state, which a finished lane no longer needs
        var assignment = new LaneAssignment("dep-y", options.ToWire(), 0, 6, [], TilePlacementMode.Local);
        LaneCheckpoint full = new(), final = new();
        WireFormat.Save(lane, assignment, full);
        WireFormat.Save(lane, assignment, final, finished: true);
        Assert.True(final.StepSizes.Length + final.Times.Length + final.Slopes.Length + final.SlopePowers.Length == 0);
        Assert.True(final.X.Length + final.TileCellEnergyJoules.Length > 0);
        var timing = RunTiming.Of(profile, options);
        var fromFull = HardwareAccounting.Summarise(timing, plan, options, net.InputDim, profile, [WireFormat.Restore(Travel(full))]);
        var fromFinal = HardwareAccounting.Summarise(timing, plan, options, net.InputDim, profile, [WireFormat.Restore(Travel(final))]);
        Assert.Equal(fromFull.Samples, fromFinal.Samples);
        Assert.Equal(fromFull.Energy, fromFinal.Energy);
        Assert.Equal(fromFull.Tiles, fromFinal.Tiles);
        Assert.Equal(fromFull.Counters, fromFinal.Counters);
    }

    /// <summary>The grain store of a silo (here the embedded one) keeps a lane checkpoint in Orleans' binary
    /// format, reads it back exactly, and still reads one an earlier version stored as JSON.</summary>
    [Fact]
    public async Task The_store_keeps_state_in_binary_and_still_reads_json()
    {
        await using var cluster = await EmbeddedCluster.StartAsync();
        var store = cluster.Services.GetRequiredService<IOptionsMonitor<MemoryGrainStorageOptions>>().Get(Storage.Name).GrainStorageSerializer;
        var checkpoint = new LaneCheckpoint
        {
            Assignment = new LaneAssignment("dep-x", new AnalogRunOptions { Seed = 3 }.ToWire(), 8, 4, [0, 2, 1, 1], TilePlacementMode.Local),
            Segment = 37,
            X = Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 + i / 256)).ToArray(),
        };

        var binary = store.Serialize(checkpoint);
        Assert.NotEqual((byte)'{', binary.ToArray()[0]); // not the JSON default
        Assert.True(binary.ToArray().Length < 4096 * 4 / 3, $"{binary.ToArray().Length} bytes: the buffers should not travel as base64 text");
        var back = store.Deserialize<LaneCheckpoint>(binary)!;
        Assert.Equal(checkpoint.X, back.X);
        Assert.Equal(37, back.Segment);
        Assert.True(back.Assignment!.SameAs(checkpoint.Assignment));

        var json = cluster.Services.GetRequiredService<IGrainStorageSerializer>().Serialize(checkpoint);
        Assert.Equal((byte)'{', json.ToArray()[0]);
        Assert.Equal(checkpoint.X, store.Deserialize<LaneCheckpoint>(json)!.X);
    }

    public static TheoryData<string> Presets => [.. Engine.Profiles.HardwareProfile.Presets];

    [Theory]
    [MemberData(nameof(Presets))]
    public void A_finished_result_crosses_the_wire_unchanged_on_every_preset(string preset)
    {
        var (net, _) = Repo.Model("gmm16.onnx");
        var profile = Repo.Profile(preset);
        var result = ReferenceSimulator.Run(net, profile with { Adc = profile.Adc with { Bits = 6 }, Mapping = profile.Mapping with { TilesPerChip = 1 } },
            new AnalogRunOptions { Kind = SamplerKind.Sde, Substeps = 1, Seed = 5, LaneSize = 3 }, 6, []);
        var back = Travel(result.ToWire()).ToEngine();
        Assert.Equal(result.Samples, back.Samples);
        Assert.Equal(result.Tiles, back.Tiles);
        Assert.Equal(result.Links, back.Links);
        Assert.Equal(result.Energy, back.Energy);
        Assert.Equal(result.Counters, back.Counters);
        Assert.Equal((result.TimePerSampleSeconds, result.GenerationSeconds, result.LoopDelaySeconds, result.Segments, result.ControllerUpdates, result.Lanes),
            (back.TimePerSampleSeconds, back.GenerationSeconds, back.LoopDelaySeconds, back.Segments, back.ControllerUpdates, back.Lanes));
        Assert.NotEmpty(back.Links);
    }

    [Fact]
    public void A_deployment_id_names_its_content_and_survives_the_profile_round_trip()
    {
        var (_, bytes) = Repo.Model("ring.onnx");
        foreach (var preset in HardwareProfile.Presets)
        {
            var profile = Repo.Profile(preset);
            string json = profile.ToJson();
            // A silo re-reads the profile from the spec: the text it would send on must be the same.
            Assert.Equal(json, HardwareProfile.Parse(json, preset).ToJson());
            var spec = new DeploymentSpec(bytes, "ring.onnx", json, 3);
            Assert.Equal(spec.Id(), Travel(spec).Id());
            Assert.Matches("^dep-[0-9a-f]{16}$", spec.Id());
            Assert.NotEqual(spec.Id(), (spec with { ProgramSeed = 4 }).Id());
            Assert.NotEqual(spec.Id(), (spec with { ProfileJson = (profile with { Name = "copy" }).ToJson() }).Id());
            Assert.NotEqual(spec.Id(), (spec with { ModelBytes = [.. bytes, 0] }).Id());
            Assert.Equal(spec.Id(), (spec with { ModelName = "renamed.onnx" }).Id());
        }
    }
}
