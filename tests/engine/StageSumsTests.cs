using MemristorGrid.Engine.Kernels;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Tests;

/// <summary>The solver's whole-lane stage sums against the per-sample loops they replace, written here as Dormand–Prince wrote
/// them: every coordinate's bits, on every instruction width, with the values a loop meets at its rails (zeros of both signs,
/// infinities, NaN).</summary>
public class StageSumsTests
{
    private const double A41 = 44.0 / 45, A42 = -56.0 / 15, A43 = 32.0 / 9, A21 = 1.0 / 5;
    private const double E1 = 71.0 / 57600, E3 = -71.0 / 16695, E4 = 71.0 / 1920, E5 = -17253.0 / 339200, E6 = 22.0 / 525, E7 = -1.0 / 40;

    private static double[] Random(int length, ulong stream, double scale)
    {
        var values = new float[length];
        new CounterRng(11, stream).FillGaussian(values);
        var result = new double[length];
        for (int i = 0; i < length; i++) result[i] = values[i] * scale * (1 + i % 7); // unlike magnitudes: the rounding of every sum shows
        return result;
    }

    private static void Spoil(double[] values)
    {
        values[1] = -0.0;
        values[^1] = double.NaN;
        if (values.Length > 9) values[9] = double.PositiveInfinity;
        if (values.Length > 12) values[12] = double.NegativeInfinity;
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(13, 2)]
    [InlineData(500, 2)]
    [InlineData(7, 3)]
    [InlineData(33, 8)]
    public void Stages_and_error_ratios_give_the_per_sample_loops_bits_on_every_width(int samples, int dim)
    {
        int values = samples * dim;
        double[] x = Random(values, 1, 2), h = new double[samples];
        double[][] k = Enumerable.Range(0, 7).Select(t => Random(values, 10 + (ulong)t, t + 0.5)).ToArray();
        var steps = Random(samples, 3, 1e-3);
        for (int i = 0; i < samples; i++) h[i] = Math.Abs(steps[i]) + 1e-9;
        Spoil(x);
        Spoil(k[2]);
        var hx = new double[values];
        for (int i = 0; i < samples; i++)
            for (int j = i * dim; j < (i + 1) * dim; j++) hx[j] = h[i];

        // The loops of DormandPrince54 before the vector path, sample by sample.
        var first = new double[values];
        var fourth = new double[values];
        var ratio = new double[values];
        for (int i = 0; i < samples; i++)
            for (int j = i * dim; j < (i + 1) * dim; j++)
            {
                first[j] = x[j] + h[i] * A21 * k[0][j];
                fourth[j] = x[j] + h[i] * (A41 * k[0][j] + A42 * k[1][j] + A43 * k[2][j]);
                double err = h[i] * (E1 * k[0][j] + E3 * k[2][j] + E4 * k[3][j] + E5 * k[4][j] + E6 * k[5][j] + E7 * k[6][j]);
                double scale = 1e-6 + 1e-3 * Math.Max(Math.Abs(x[j]), Math.Abs(fourth[j]));
                ratio[j] = Math.Abs(err) / scale;
            }

        foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar })
        {
            var (y1, y4, r) = SimdWidths.With(width, () =>
            {
                var y1 = new double[values];
                var y4 = new double[values];
                var r = new double[values];
                StageSums.ScaledStep(y1, x, hx, A21, k[0]);
                StageSums.Stage(y4, x, hx, [A41, A42, A43], [k[0], k[1], k[2]]);
                StageSums.ErrorRatios(r, x, y4, hx, [E1, E3, E4, E5, E6, E7], [k[0], k[2], k[3], k[4], k[5], k[6]], 1e-6, 1e-3);
                return (y1, y4, r);
            });
            Assert.Equal(Bits(first), Bits(y1));
            Assert.Equal(Bits(fourth), Bits(y4));
            // A NaN ratio becomes an infinite norm whatever its payload; every other ratio keeps its bits.
            Assert.Equal(Bits(ratio, nanAsOne: true), Bits(r, nanAsOne: true));
        }
    }

    [Fact]
    public void A_NaN_either_side_of_the_larger_magnitude_makes_the_ratio_NaN_as_Math_Max_does()
    {
        double[] x = [double.NaN, 1, 0, 1, 1, 1, 1, 1], y = [1, double.NaN, 0, 1, 1, 1, 1, 1];
        double[] hx = [1, 1, 1, 1, 1, 1, 1, 1], k = [1, 1, 1, 1, 1, 1, 1, 1];
        var r = new double[8];
        StageSums.ErrorRatios(r, x, y, hx, [1.0], [k], 0, 1);
        Assert.True(double.IsNaN(r[0]));
        Assert.True(double.IsNaN(r[1]));
        Assert.True(double.IsPositiveInfinity(r[2])); // 1 / (0 + 1·0)
        Assert.Equal(1.0, r[3]);
    }

    [Fact]
    public void Operands_shorter_than_the_state_are_refused()
    {
        var y = new double[8];
        Assert.Throws<ArgumentException>(() => StageSums.Stage(y, new double[8], new double[7], [1.0], [new double[8]]));
        Assert.Throws<ArgumentException>(() => StageSums.Stage(y, new double[8], new double[8], [1.0, 2.0], [new double[8], new double[4]]));
        Assert.Throws<ArgumentException>(() => StageSums.ScaledStep(y, new double[8], new double[8], 1, new double[3]));
    }

    private static long[] Bits(double[] values, bool nanAsOne = false) =>
        values.Select(v => nanAsOne && double.IsNaN(v) ? 1L : BitConverter.DoubleToInt64Bits(v)).ToArray();
}
