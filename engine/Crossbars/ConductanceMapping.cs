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
    /// <summary>Programmed (and drifted) conductances of one tile [rows × cols] — with redundancy, each pair's replicas summed, as their
    /// currents add — the read-out scale per layer column, what programming cost, the replicas per pair and, with more than one,
    /// Σ G² over each pair's replicas (what their independent read noise adds up to).</summary>
    /// <param name="ColumnOffset">With calibration: the offset trim added to each tile column's output (weight units); the gain
    /// trim is folded into <paramref name="ColumnScale"/>.</param>
    public sealed record ProgrammedBlock(double[] GPlus, double[] GMinus, float[] ColumnScale, ProgrammingStats Programming,
        int Replicas = 1, double[]? SquaresPlus = null, double[]? SquaresMinus = null, float[]? ColumnOffset = null);

    public static ProgrammedBlock Program(TilePlan plan, ScoreNetwork network, HardwareProfile profile, ulong chipSeed) =>
        Program(plan, network.Layers[plan.Layer], profile, chipSeed);

    /// <summary>
    /// Pair p = r·cols + c programs devices 2p and 2p + 1; with N replicas, replica k of pair p programs devices 2(pN + k) and
    /// 2(pN + k) + 1 (so one replica is the unreplicated mapping, bit for bit). With levels, the replicas' targets are levels
    /// whose mean is the nearest multiple of 1/N of a level step to the weight's conductance.
    /// </summary>
    public static ProgrammedBlock Program(TilePlan plan, DenseLayer layer, HardwareProfile profile, ulong chipSeed)
    {
        var scale = WeightScaling.WeightScalings.For(profile.Mapping).ColumnScales(layer);
        var device = new DeviceModel(profile.Device);
        var draws = DeviceModel.ProgrammingDraws.For(chipSeed, plan.StreamKey);
        var nuDraws = Streams.Rng(chipSeed, StreamPurpose.DriftExponent, plan.StreamKey);
        int rows = plan.RowCount, cols = plan.ColCount, n = profile.Mapping.Replicas;
        var gPlus = new double[rows * cols];
        var gMinus = new double[rows * cols];
        var squaresPlus = n > 1 ? new double[rows * cols] : null;
        var squaresMinus = n > 1 ? new double[rows * cols] : null;
        var stats = new ProgrammingStats();
        double age = profile.Device.Drift.AgeSeconds;
        double? step = profile.Device.Levels is { } levels ? device.Window / (levels - 1) : null;
        for (int r = 0; r < rows; r++)
        {
            int input = plan.RowStart + r;
            for (int c = 0; c < cols; c++)
            {
                int output = plan.ColStart + c;
                double w = input == layer.Inputs ? layer.Bias[output] : layer.Weight(output, input);
                double magnitude = Math.Abs(w) / scale[output] * device.Window;
                long steps = step is { } s ? (long)Math.Round(n * magnitude / s) : 0;
                int i = r * cols + c;
                for (int k = 0; k < n; k++)
                {
                    // Replica k's share: the whole magnitude, or (with levels) its whole number of level steps.
                    double share = n == 1 || step is null ? magnitude : (steps / n + (k < steps % n ? 1 : 0)) * step.Value;
                    double targetPlus = device.GMin + (w > 0 ? share : 0);
                    double targetMinus = device.GMin + (w < 0 ? share : 0);
                    ulong pair = (ulong)(i * n + k);
                    var plus = device.Write(targetPlus, 2 * pair, draws);
                    var minus = device.Write(targetMinus, 2 * pair + 1, draws);
                    stats.Add(plus, targetPlus);
                    stats.Add(minus, targetMinus);
                    double gp = device.Drift(plus.Conductance, age, nuDraws.Gaussian(2 * pair));
                    double gm = device.Drift(minus.Conductance, age, nuDraws.Gaussian(2 * pair + 1));
                    gPlus[i] += gp;
                    gMinus[i] += gm;
                    if (squaresPlus is not null) { squaresPlus[i] += gp * gp; squaresMinus![i] += gm * gm; }
                }
            }
        }
        float compensation = (float)device.DriftCompensation(age);
        var block = new ProgrammedBlock(gPlus, gMinus, scale.Select(v => v * compensation).ToArray(), stats, n, squaresPlus, squaresMinus);
        if (profile.Mapping.CalibrationReads is not { } reads) return block;
        // Calibration after programming (and ageing): trim each column's gain by 1/a (its scale) and its offset by −b/a.
        var trims = ColumnCalibration.Calibrate(plan, layer, block, profile, chipSeed, reads);
        var trimmedScale = (float[])block.ColumnScale.Clone();
        var offset = new float[cols];
        for (int c = 0; c < cols; c++)
        {
            trimmedScale[plan.ColStart + c] /= trims.Gain[c];
            offset[c] = -trims.Offset[c] / trims.Gain[c];
        }
        stats.AddCalibration(trims);
        return block with { ColumnScale = trimmedScale, ColumnOffset = offset };
    }
}
