using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Graphs;
using MemristorGrid.Engine.Graphs.Analog;
using MemristorGrid.Engine.Graphs.Import;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Tests;

/// <summary>The shipped U-Net through the analog machine's tiles, periphery, digital unit and controller DACs (one pass).</summary>
public class AnalogGraphTests
{
    private static readonly Lazy<ScoreGraph> UNet = new(() => GraphImporter.FromBytes(File.ReadAllBytes(TestNetworks.ModelPath("unet-digits.onnx")), "unet-digits.onnx"));

    private static (float[] X, float[] T) Inputs(int n, ulong seed)
    {
        var x = new float[n * 64];
        var t = new float[n];
        Streams.Rng(seed, StreamPurpose.Reference, 1).FillGaussian(x);
        Streams.Rng(seed, StreamPurpose.Reference, 2).FillUniform(t, 0.05f, 1f);
        return (x, t);
    }

    private static float[] Analog(AnalogGraph machine, float[] x, float[] t, long firstSample, out GraphPassCounts counts)
    {
        int n = t.Length;
        var score = new float[n * 64];
        var power = new double[machine.Tiles.Length * n];
        counts = machine.Evaluate(new GraphRun(machine.Graph, n), new AnalogWorkspace(), x, t, [], score, new ReadContext(9, firstSample, 0, 0), power);
        Assert.All(power, p => Assert.True(p >= 0));
        return score;
    }

    [Fact]
    public void On_the_ideal_profile_the_machine_computes_the_digital_forward_pass()
    {
        var graph = UNet.Value;
        var machine = new AnalogGraph(graph, HardwareProfile.Resolve("ideal"), programSeed: 1);
        Assert.Equal(272, machine.Tiles.Length); // 249 matrix blocks, and the bias row tips 23 layers into one more row block
        Assert.Equal(17, machine.Plan.ChipCount);
        var (x, t) = Inputs(3, 4);
        var analog = Analog(machine, x, t, 0, out var counts);
        var digital = new float[analog.Length];
        graph.Forward(x, t, [], digital, new GraphRun(graph, 3));
        for (int i = 0; i < analog.Length; i++)
            Assert.True(MathF.Abs(analog[i] - digital[i]) <= 1e-3f * MathF.Max(1f, MathF.Abs(digital[i])), $"value {i}: analog {analog[i]} vs digital {digital[i]}");
        Assert.Equal(3L * machine.Plan.Tiles.Sum(tp => machine.Plan.Layers[tp.Layer].VectorsPerSample), counts.Mvms);
        Assert.Equal(0, counts.PeripheryClips + counts.DigitalAdcOverflows + counts.TileInputOverflows);
        Assert.True(counts.DigitalConversions > 0);
    }

    [Fact]
    public void On_rram_180nm_the_pass_is_noisy_but_keyed_by_sample_not_by_batch()
    {
        var machine = new AnalogGraph(UNet.Value, HardwareProfile.Resolve("rram-180nm"), programSeed: 1);
        var (x, t) = Inputs(4, 5);
        var whole = Analog(machine, x, t, 10, out var counts);
        // The same four samples in two batches of two: every read-noise draw is keyed by the global sample and vector.
        var first = Analog(machine, x[..128], t[..2], 10, out _);
        var second = Analog(machine, x[128..], t[2..], 12, out _);
        Assert.Equal(whole, first.Concat(second).ToArray());
        // Device and converter non-idealities move the score, within reason.
        var digital = new float[whole.Length];
        UNet.Value.Forward(x, t, [], digital, new GraphRun(UNet.Value, 4));
        double err = 0, norm = 0;
        for (int i = 0; i < whole.Length; i++) { err += (whole[i] - digital[i]) * (double)(whole[i] - digital[i]); norm += digital[i] * (double)digital[i]; }
        Assert.InRange(Math.Sqrt(err / norm), 1e-4, 1.0);
        Assert.True(counts.DigitalConversions > 0);
    }
}

/// <summary>The shipped U-Net sampled through analog time on the machine (the reference simulator's closed loop).</summary>
public class GraphSimulatorTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Lazy<(ScoreGraph Graph, byte[] Bytes)> UNet = new(() =>
    {
        var bytes = File.ReadAllBytes(TestNetworks.ModelPath("unet-digits.onnx"));
        return (GraphImporter.FromBytes(bytes, "unet-digits.onnx"), bytes);
    });

    private (GraphRunResult Result, GraphLoopDesign Design) Sample(string profileName, int count, int laneSize, ulong seed = 1)
    {
        var (graph, bytes) = UNet.Value;
        var profile = HardwareProfile.Resolve(profileName);
        // ideal's RC (20 µs) is made for the paper's MLP; the U-Net's loop needs far longer (the design says why).
        if (!profile.Loop.Derive) profile = profile with { Integrator = profile.Integrator with { TimeConstantSeconds = 10 } };
        var machine = new AnalogGraph(graph, profile, programSeed: 1);
        var options = new Simulation.AnalogRunOptions { Seed = seed, ScheduleScale = graph.Metadata.SamplingScheduleScale };
        using var ort = new Digital.OnnxRuntimeScoreModel(bytes, graph);
        var design = GraphLoopDesign.Design(graph, machine.Plan, profile, options, ort);
        var result = GraphSimulator.Run(machine, design, options, count, [], laneSize);
        output.WriteLine($"{profileName}: RC {design.RcSeconds * 1e6:G4} µs ({design.Reason}); loop delay {design.LoopDelaySeconds * 1e6:G4} µs = analog {design.AnalogDelaySeconds * 1e6:G4} + conversions {design.ConversionDelaySeconds * 1e6:G4} + digital {design.DigitalDelaySeconds * 1e6:G4}; gain {design.GainMax:G4} at τ {design.GainMaxTau:G3}; evaluations {result.Counters.NetworkEvaluations}, accepted {result.Counters.AcceptedSteps}, rejected {result.Counters.RejectedSteps}; wall {result.Wall.TotalSeconds:F1} s; clips {result.Pass.PeripheryClips}, digital ADC overflows {result.Pass.DigitalAdcOverflows}");
        return (result, design);
    }

    [Fact]
    public void Samples_do_not_depend_on_the_lane_size_and_ideal_tracks_the_digital_model()
    {
        var (a, _) = Sample("ideal", 6, laneSize: 6);
        var (b, _) = Sample("ideal", 6, laneSize: 2);
        Assert.Equal(a.Samples, b.Samples);
        Assert.All(a.Samples, v => Assert.True(float.IsFinite(v)));
    }

    /// <summary>rram-180nm derives the loop: the U-Net's traversal is mostly the digital unit's, so slowing the op-amps (power ∝
    /// bandwidth) lengthens it little and saves most of their energy; the design takes the least energy × time per sample.</summary>
    [Fact]
    public void The_derived_loop_slows_the_op_amps_where_the_graphs_delay_is_digital()
    {
        var (graph, bytes) = UNet.Value;
        var profile = HardwareProfile.Resolve("rram-180nm");
        var plan = GraphPlan.Create(graph, profile.Mapping);
        var options = new Simulation.AnalogRunOptions { Kind = Diffusion.SamplerKind.Sde, ScheduleScale = graph.Metadata.SamplingScheduleScale };
        using var ort = new Digital.OnnxRuntimeScoreModel(bytes, graph);
        var design = GraphLoopDesign.Design(graph, plan, profile, options, ort);
        output.WriteLine(design.Reason);
        var costs = GraphCosts.Estimate(graph, plan, design.Profile, design.LoopDelaySeconds, Simulation.RunTiming.Of(design.Profile, options), 0);
        Assert.True(design.RcSeconds > design.RcMinSeconds, $"RC {design.RcSeconds} vs RC_min {design.RcMinSeconds}");
        Assert.True(design.DigitalDelaySeconds > design.ConversionDelaySeconds);
        Assert.True(costs.EnergyPerSampleJoules < design.EnergyAtRcMinJoules / 10, $"{costs.EnergyPerSampleJoules} J vs {design.EnergyAtRcMinJoules} J at RC_min");
        Assert.True(costs.TimePerSampleSeconds < 3 * design.TimeAtRcMinSeconds);
        Assert.True(costs.EnergyPerSampleJoules * costs.TimePerSampleSeconds < design.EnergyAtRcMinJoules * design.TimeAtRcMinSeconds);
        // Its RC and update period are the design's: the run's timing follows from them.
        Assert.Equal(design.RcSeconds, design.Profile.Integrator.TimeConstantSeconds);
        Assert.True(design.Profile.Loop.Designed);
    }
}
