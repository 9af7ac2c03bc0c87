using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Crossbars;

/// <summary>
/// Per-column gain and offset calibration after programming (<c>mapping.calibration_reads</c> = K): the controller drives K
/// calibration vectors into the tile — rows fed by activations uniform in [0, 1] unit, the first layer's in [−1, 1], the bias
/// row at 1 — reads every column through the ADC (read noise included) and fits each column's reading y against what the
/// target weights would give, y ≈ a·y* + b, by least squares. The column's read-out gain is then trimmed by 1/a (folded
/// into its scale) and an offset trim of −b/a added to its output: the column's own systematic error (its mean error over
/// the calibration inputs, a gain error) goes, the devices' independent errors stay. Costs per read: one conversion per
/// column (the ADC's energy and conversion time, columns converted in parallel: our assumption) and the cells' V²·G over
/// that time.
/// </summary>
public static class ColumnCalibration
{
    /// <summary>The trims (gain a and offset b per tile column, in weight units) and what finding them cost.</summary>
    public sealed record Trims(float[] Gain, float[] Offset, long Reads, long Conversions, double EnergyJoules, double Seconds);

    public static Trims Calibrate(TilePlan plan, DenseLayer layer, ConductanceMapping.ProgrammedBlock block, HardwareProfile profile, ulong chipSeed, int reads)
    {
        var (weights, noise, rowConductance, _) = CrossbarTile.Arrays(plan, block, profile);
        int rows = plan.RowCount, cols = plan.ColCount;
        var inputs = Streams.Rng(chipSeed, StreamPurpose.CalibrationInput, plan.StreamKey);
        var readNoise = Streams.Rng(chipSeed, StreamPurpose.CalibrationRead, plan.StreamKey);
        var adc = Converters.Adc(profile);
        double sigma = profile.Device.ReadNoiseSigma, vpu = profile.Signal.VoltsPerUnit, seconds = profile.Adc.ConversionSeconds;
        var x = new double[rows];
        var measured = new float[cols];
        double[] sumIdeal = new double[cols], sumMeasured = new double[cols], sumIdeal2 = new double[cols], sumCross = new double[cols];
        double energy = 0;
        for (int k = 0; k < reads; k++)
        {
            double cellWatts = 0;
            for (int r = 0; r < rows; r++)
            {
                double u = inputs.Uniform((ulong)(k * rows + r));
                x[r] = r == plan.BiasRow ? 1 : plan.Layer == 0 ? 2 * u - 1 : u;
                cellWatts += x[r] * vpu * x[r] * vpu * rowConductance[r];
            }
            energy += cellWatts * seconds;
            for (int c = 0; c < cols; c++)
            {
                double y = 0, variance = 0;
                for (int r = 0; r < rows; r++)
                {
                    y += x[r] * weights[r * cols + c];
                    if (noise.Length != 0) variance += x[r] * x[r] * noise[r * cols + c];
                }
                measured[c] = (float)(y + sigma * Math.Sqrt(variance) * readNoise.Gaussian((ulong)(k * cols + c)));
            }
            adc.Apply(measured);
            for (int c = 0; c < cols; c++)
            {
                int output = plan.ColStart + c;
                double ideal = 0;
                for (int r = 0; r < rows; r++)
                {
                    int input = plan.RowStart + r;
                    ideal += x[r] * (input == layer.Inputs ? layer.Bias[output] : layer.Weight(output, input));
                }
                sumIdeal[c] += ideal;
                sumMeasured[c] += measured[c];
                sumIdeal2[c] += ideal * ideal;
                sumCross[c] += ideal * measured[c];
            }
        }
        var gain = new float[cols];
        var offset = new float[cols];
        for (int c = 0; c < cols; c++)
        {
            double meanIdeal = sumIdeal[c] / reads, meanMeasured = sumMeasured[c] / reads;
            double variance = sumIdeal2[c] / reads - meanIdeal * meanIdeal, covariance = sumCross[c] / reads - meanIdeal * meanMeasured;
            // A column whose target barely moves over the calibration inputs gives no gain to fit: offset only. A fitted gain
            // far from 1 says the fit is noise, not the column: it is not trusted either.
            double a = reads >= 3 && variance > 1e-12 ? covariance / variance : 1;
            if (!(a is > 0.5 and < 2)) a = 1;
            gain[c] = (float)a;
            offset[c] = (float)(meanMeasured - a * meanIdeal);
        }
        return new Trims(gain, offset, reads, (long)reads * cols, energy + (long)reads * cols * profile.Adc.JoulesPerConversion(), reads * seconds);
    }
}
