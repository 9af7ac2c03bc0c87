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
