using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Tests;

/// <summary><c>mapping.redundancy</c>: N device pairs per weight, their currents summed and the read-out divided by N.</summary>
public class RedundancyTests
{
    private static HardwareProfile With(HardwareProfile p, int replicas, int? levels = -1) => p with
    {
        Mapping = p.Mapping with { Redundancy = replicas },
        Device = levels == -1 ? p.Device : p.Device with { Levels = levels },
    };

    /// <summary>Every tile's effective weights, read on unit vectors with read noise off, against the network's weights: (RMS, largest) error over |w|max.</summary>
    private static (double Rms, double Max, long Devices) Errors(ScoreNetwork network, HardwareProfile profile, ulong chipSeed)
    {
        profile = profile with { Device = profile.Device with { ReadNoiseSigma = 0 } };
        var plan = DeploymentPlan.Create(network, profile.Mapping);
        double squares = 0, max = 0;
        long count = 0, devices = 0;
        foreach (var tp in plan.Tiles)
        {
            var layer = network.Layers[tp.Layer];
            var block = ConductanceMapping.Program(tp, layer, profile, chipSeed);
            devices += block.Programming.Devices;
            var read = TileReads.UnitVectors(new CrossbarTile(tp, block, profile));
            double scale = TileReads.Scale(layer);
            for (int r = 0; r < tp.RowCount; r++)
                for (int c = 0; c < tp.ColCount; c++)
                {
                    int input = tp.RowStart + r, output = tp.ColStart + c;
                    double e = (read[r * tp.ColCount + c] - TileReads.Target(layer, input, output)) / scale;
                    squares += e * e;
                    max = Math.Max(max, Math.Abs(e));
                    count++;
                }
        }
        return (Math.Sqrt(squares / count), max, devices);
    }

    [Fact]
    public void Staggered_replicas_resolve_a_fraction_of_a_level()
    {
        // Exact devices with 5 levels (a step of 1/4 of the window): one pair per weight errs by up to half a step, 1/8 of
        // the largest |w|; four pairs whose levels are staggered err by up to 1/32.
        var network = TestNetworks.Inference(seed: 3);
        var ideal = HardwareProfile.Resolve("ideal");
        var one = Errors(network, With(ideal, 1, levels: 5), 1);
        var four = Errors(network, With(ideal, 4, levels: 5), 1);
        Assert.InRange(one.Max, 0.06, 0.125 + 1e-5);
        Assert.True(four.Max <= 0.125 / 4 + 1e-5, $"four staggered pairs erred by {four.Max} of the scale");
        Assert.Equal(4 * one.Devices, four.Devices);
    }

    [Fact]
    public void Random_device_errors_average_down_by_the_square_root_of_the_replicas()
    {
        // rram-180nm: write-verify ±1 µS and NeuRRAM's relaxation (σ ≈ 1–2.4 µS per device, independent between replicas);
        // continuous levels, so the error is the devices' own. A wide layer and five chips for the statistics.
        var network = TestNetworks.Inference(h: 40, seed: 5);
        var p180 = HardwareProfile.Resolve("rram-180nm");
        double Rms(int n) => Enumerable.Range(1, 5).Average(chip => Errors(network, With(p180, n, levels: null), (ulong)chip).Rms);
        double one = Rms(1), four = Rms(4);
        Assert.InRange(four / one, 0.4, 0.65);
    }

    [Fact]
    public void Replicas_take_rows_so_tiles_hold_fewer_weights_and_read_noise_adds_per_device()
    {
        var network = TestNetworks.Inference(seed: 3);
        var p = HardwareProfile.Resolve("rram-180nm");
        var mapping = p.Mapping with { TileRows = 16, Redundancy = 2 };
        var plan = DeploymentPlan.Create(network, mapping);
        Assert.Equal(8, mapping.RowsPerTile);
        Assert.Equal(2, plan.Tiles.Count(t => t.Layer == 1)); // 15 rows (14 inputs and the bias) in blocks of 8
        Assert.Contains("mapping.redundancy must be", string.Join("; ", (p with { Mapping = p.Mapping with { Redundancy = 40 } }).Problems()));

        // The read-noise weight of a pair is Σ_k (G⁺_k² + G⁻_k²)·(s/(N·ΔG))² over its replicas, not (Σ G)².
        var profile = p with { Mapping = p.Mapping with { Redundancy = 3 } };
        var tp = DeploymentPlan.Create(network, profile.Mapping).Tiles[1];
        var block = ConductanceMapping.Program(tp, network.Layers[1], profile, 7);
        var (weights, noise, _, _) = CrossbarTile.Arrays(tp, block, profile with { Wires = new WireParameters() });
        double window = (p.Device.GMaxMicrosiemens - p.Device.GMinMicrosiemens) * 1e-6;
        for (int i = 0; i < 5; i++)
        {
            double unit = block.ColumnScale[tp.ColStart + i % tp.ColCount] / (3 * window);
            Assert.Equal((block.SquaresPlus![i] + block.SquaresMinus![i]) * unit * unit, noise[i], 1e-6 * noise[i]);
            Assert.Equal((block.GPlus[i] - block.GMinus[i]) * unit, weights[i], 1e-5);
            Assert.True(block.GPlus[i] * block.GPlus[i] > 1.5 * block.SquaresPlus[i], "three replicas' summed conductance squared exceeds their squares' sum");
        }
    }
}
