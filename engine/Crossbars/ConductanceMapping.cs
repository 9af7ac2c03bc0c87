using MemristorGrid.Engine.Devices;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>
/// Weights → conductances: a signed weight w becomes a differential pair G⁺ − G⁻ above Gmin, |w| / s
/// of the window on the side of its sign, where s (weight units per window) is the largest |w| of the
/// layer or of the column. Each device is then programmed (levels, write noise, faults) and aged by the
/// device model. A pure function of (weights, profile, chip seed, tile), so any process rebuilds the same tile.
/// </summary>
public static class ConductanceMapping
{
    /// <summary>Programmed (and drifted) conductances of one tile [rows × cols], the read-out scale per layer column, and what programming cost.</summary>
    public sealed record ProgrammedBlock(double[] GPlus, double[] GMinus, float[] ColumnScale, ProgrammingStats Programming);

    public static ProgrammedBlock Program(TilePlan plan, ScoreNetwork network, HardwareProfile profile, ulong chipSeed) =>
        Program(plan, network.Layers[plan.Layer], profile, chipSeed);

    public static ProgrammedBlock Program(TilePlan plan, DenseLayer layer, HardwareProfile profile, ulong chipSeed)
    {
        var scale = WeightScaling.WeightScalings.For(profile.Mapping).ColumnScales(layer);
        var device = new DeviceModel(profile.Device);
        var draws = DeviceModel.ProgrammingDraws.For(chipSeed, plan.StreamKey);
        var nuDraws = Streams.Rng(chipSeed, StreamPurpose.DriftExponent, plan.StreamKey);
        int rows = plan.RowCount, cols = plan.ColCount;
        var gPlus = new double[rows * cols];
        var gMinus = new double[rows * cols];
        var stats = new ProgrammingStats();
        double age = profile.Device.Drift.AgeSeconds;
        for (int r = 0; r < rows; r++)
        {
            int input = plan.RowStart + r;
            for (int c = 0; c < cols; c++)
            {
                int output = plan.ColStart + c;
                double w = input == layer.Inputs ? layer.Bias[output] : layer.Weight(output, input);
                double magnitude = Math.Abs(w) / scale[output] * device.Window;
                double targetPlus = device.GMin + (w > 0 ? magnitude : 0);
                double targetMinus = device.GMin + (w < 0 ? magnitude : 0);
                ulong pair = (ulong)(r * cols + c);
                var plus = device.Write(targetPlus, 2 * pair, draws);
                var minus = device.Write(targetMinus, 2 * pair + 1, draws);
                stats.Add(plus, targetPlus);
                stats.Add(minus, targetMinus);
                gPlus[r * cols + c] = device.Drift(plus.Conductance, age, nuDraws.Gaussian(2 * pair));
                gMinus[r * cols + c] = device.Drift(minus.Conductance, age, nuDraws.Gaussian(2 * pair + 1));
            }
        }
        float compensation = (float)device.DriftCompensation(age);
        return new ProgrammedBlock(gPlus, gMinus, scale.Select(v => v * compensation).ToArray(), stats);
    }
}
