using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Tests;

/// <summary><c>mapping.calibration_reads</c>: per-column gain and offset trims fitted from calibration reads after programming.</summary>
public class CalibrationTests
{
    /// <summary>Largest |read − target| over every tile's weights (unit vectors, read noise off), relative to the layer's |w|max.</summary>
    private static (double Error, ProgrammingStats Stats) Worst(HardwareProfile profile, ulong chipSeed)
    {
        var network = TestNetworks.Inference(seed: 3);
        var plan = DeploymentPlan.Create(network, profile.Mapping);
        var stats = new ProgrammingStats();
        double worst = 0;
        foreach (var tp in plan.Tiles)
        {
            var layer = network.Layers[tp.Layer];
            var block = ConductanceMapping.Program(tp, layer, profile, chipSeed);
            stats.Add(block.Programming);
            var read = TileReads.UnitVectors(new CrossbarTile(tp, block, profile));
            double scale = TileReads.Scale(layer);
            for (int r = 0; r < tp.RowCount; r++)
                for (int c = 0; c < tp.ColCount; c++)
                {
                    int input = tp.RowStart + r, output = tp.ColStart + c;
                    // A unit vector on a weight row also carries the offset trim; on the bias row the trim is the bias's own.
                    double target = TileReads.Target(layer, input, output);
                    double offset = block.ColumnOffset is { } o && input != layer.Inputs ? o[c] : 0;
                    worst = Math.Max(worst, Math.Abs(read[r * tp.ColCount + c] - offset - target) / scale);
                }
        }
        return (worst, stats);
    }

    [Fact]
    public void A_columns_systematic_gain_error_is_trimmed_away_and_its_reads_are_counted()
    {
        // Exact devices that drift uncompensated (every device × (3600 s / 1 s)^−0.05 = 0.66): each column reads 34 % low.
        var ideal = HardwareProfile.Resolve("ideal");
        var drifting = ideal with { Device = ideal.Device with { Drift = new DriftParameters { Nu = 0.05, T0Seconds = 1, AgeSeconds = 3600 } } };
        var (untrimmed, _) = Worst(drifting, 1);
        Assert.InRange(untrimmed, 0.2, 0.4);
        var calibrated = drifting with { Mapping = drifting.Mapping with { CalibrationReads = 16 } };
        var (trimmed, stats) = Worst(calibrated, 1);
        Assert.True(trimmed < 1e-4, $"after calibration a weight still errs by {trimmed} of the scale");
        // Ring's three tiles: 16 reads each, one conversion per column per read.
        Assert.Equal(48, stats.CalibrationReads);
        Assert.Equal(16 * (14 + 14 + 2), stats.CalibrationConversions);
        Assert.True(stats.CalibrationEnergyJoules > 0 && stats.CalibrationSeconds > 0);
    }

    [Fact]
    public void Calibration_is_a_pure_function_of_the_chip_and_trims_without_reprogramming()
    {
        var p = HardwareProfile.Resolve("rram-180nm");
        var calibrated = p with { Mapping = p.Mapping with { CalibrationReads = 256 } };
        var tp = DeploymentPlan.Create(TestNetworks.Inference(seed: 3), p.Mapping).Tiles[1];
        var layer = TestNetworks.Inference(seed: 3).Layers[1];
        var a = ConductanceMapping.Program(tp, layer, calibrated, 4);
        var b = ConductanceMapping.Program(tp, layer, calibrated, 4);
        Assert.Equal(a.ColumnOffset, b.ColumnOffset);
        Assert.Equal(a.ColumnScale, b.ColumnScale);
        Assert.Null(ConductanceMapping.Program(tp, layer, p, 4).ColumnOffset);
        Assert.Equal(ConductanceMapping.Program(tp, layer, p, 4).GPlus, a.GPlus); // calibration trims, it does not reprogram
    }
}
