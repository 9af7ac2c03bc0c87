using System.Numerics;

namespace MemristorGrid.Engine.Metrics;

/// <summary>Quality metrics comparing generated samples with reference samples (row-major [N × D]).</summary>
public static class SampleMetrics
{
    public const int PaperBins = 50;
    public const double PaperLow = -4, PaperHigh = 4, PaperEpsilon = 1e-10;

    /// <summary>
    /// The paper's KL (the authors' <c>cal_KL</c>): every coordinate of every sample flattened into one
    /// 50-bin histogram on [−4, 4] (values outside dropped, as numpy's histogram does), normalised to
    /// probabilities, 1e-10 added to every bin, renormalised, then KL(generated ‖ reference) = Σ p log(p / q)
    /// (scipy.stats.entropy(p, q)).
    /// </summary>
    /// <summary>Samples with a coordinate beyond the reference's span on that axis widened by half the span each side: samples the loop
    /// let run away (a diverged integrator, a clipped score), which the histogram metrics bin away at their edges.</summary>
    public static int BeyondRange(ReadOnlySpan<float> samples, ReadOnlySpan<float> reference, int dim)
    {
        if (reference.Length < dim) return 0;
        var low = new float[dim];
        var high = new float[dim];
        Array.Fill(low, float.PositiveInfinity);
        Array.Fill(high, float.NegativeInfinity);
        for (int i = 0; i < reference.Length; i++) (low[i % dim], high[i % dim]) = (Math.Min(low[i % dim], reference[i]), Math.Max(high[i % dim], reference[i]));
        int beyond = 0;
        for (int s = 0; s < samples.Length / dim; s++)
            for (int j = 0; j < dim; j++)
            {
                float x = samples[s * dim + j], margin = 0.5f * (high[j] - low[j]);
                if (!float.IsFinite(x) || x < low[j] - margin || x > high[j] + margin) { beyond++; break; }
            }
        return beyond;
    }

    public static double PaperKl(ReadOnlySpan<float> generated, ReadOnlySpan<float> reference)
    {
        var p = Histogram1D(generated);
        var q = Histogram1D(reference);
        return Kl(p, q);
    }

    /// <summary>2-D histogram KL(generated ‖ reference) on the first two coordinates, 50×50 bins on [−4, 4]², same smoothing.</summary>
    public static double Histogram2DKl(ReadOnlySpan<float> generated, ReadOnlySpan<float> reference, int dim, int bins = PaperBins)
    {
        if (dim < 2) return PaperKl(generated, reference);
        return Kl(Histogram2D(generated, dim, bins), Histogram2D(reference, dim, bins));
    }

    private static double[] Histogram1D(ReadOnlySpan<float> values)
    {
        var counts = new double[PaperBins];
        foreach (var v in values)
        {
            int bin = BinOf(v, PaperLow, PaperHigh, PaperBins);
            if (bin >= 0) counts[bin]++;
        }
        return ToSmoothedProbabilities(counts);
    }

    private static double[] Histogram2D(ReadOnlySpan<float> values, int dim, int bins)
    {
        var counts = new double[bins * bins];
        int n = values.Length / dim;
        for (int i = 0; i < n; i++)
        {
            int bx = BinOf(values[i * dim], PaperLow, PaperHigh, bins);
            int by = BinOf(values[i * dim + 1], PaperLow, PaperHigh, bins);
            if (bx >= 0 && by >= 0) counts[bx * bins + by]++;
        }
        return ToSmoothedProbabilities(counts);
    }

    /// <summary>numpy's binning: half-open bins except the last, which includes the upper edge.</summary>
    private static int BinOf(double v, double low, double high, int bins)
    {
        if (!(v >= low && v <= high)) return -1;
        int bin = (int)((v - low) / (high - low) * bins);
        return Math.Min(bin, bins - 1);
    }

    private static double[] ToSmoothedProbabilities(double[] counts)
    {
        double total = counts.Sum();
        var p = new double[counts.Length];
        for (int i = 0; i < p.Length; i++)
            p[i] = (total > 0 ? counts[i] / total : 0) + PaperEpsilon;
        double sum = p.Sum();
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    private static double Kl(double[] p, double[] q)
    {
        double kl = 0;
        for (int i = 0; i < p.Length; i++) kl += p[i] * Math.Log(p[i] / q[i]);
        return kl;
    }

    /// <summary>
    /// Energy distance 2E‖X − Y‖ − E‖X − X′‖ − E‖Y − Y′‖ (Székely & Rizzo; zero iff the distributions
    /// agree), on at most <paramref name="maxPerSide"/> evenly spaced samples of each side so the O(n²)
    /// cost stays bounded; the V-statistic form (diagonals included) keeps it non-negative.
    /// </summary>
    public static double EnergyDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int dim, int maxPerSide = 2000)
    {
        var x = Subsample(a, dim, maxPerSide);
        var y = Subsample(b, dim, maxPerSide);
        double xy = MeanDistance(x, y, dim), xx = MeanDistance(x, x, dim), yy = MeanDistance(y, y, dim);
        return 2 * xy - xx - yy;
    }

    private static float[] Subsample(ReadOnlySpan<float> data, int dim, int max)
    {
        int n = data.Length / dim;
        if (n <= max) return data.ToArray();
        var result = new float[max * dim];
        for (int i = 0; i < max; i++)
        {
            int src = (int)((long)i * n / max);
            data.Slice(src * dim, dim).CopyTo(result.AsSpan(i * dim, dim));
        }
        return result;
    }

    /// <summary>Whether the metrics' loops use vectors: the kernels' one switch (<see cref="Kernels.Simd.Width"/>), on a machine that
    /// runs them. Every path gives the same bits.</summary>
    internal static bool VectorsOn => Kernels.Simd.Width != Kernels.KernelWidth.Scalar && Vector.IsHardwareAccelerated;

    /// <summary>E‖X − Y‖ over all pairs. Each pair's squared distance adds its coordinates' squares in order (each difference taken in
    /// float, as the float arrays' elements subtract, then squared in double) and the pairs' distances are added in order: the
    /// scalar loop's bits. The vectors run over pairs, one coordinate of several Y points at a time.</summary>
    internal static double MeanDistance(float[] x, float[] y, int dim)
    {
        int nx = x.Length / dim, ny = y.Length / dim;
        // Y by coordinate: a vector then holds one coordinate of consecutive points.
        var byCoordinate = new float[dim * ny];
        for (int j = 0; j < ny; j++)
            for (int k = 0; k < dim; k++) byCoordinate[k * ny + j] = y[j * dim + k];
        var squares = new double[ny];
        int width = Vector<float>.Count, half = Vector<double>.Count, vectorEnd = VectorsOn ? ny - ny % width : 0;
        double total = 0;
        for (int i = 0; i < nx; i++)
        {
            Array.Clear(squares);
            for (int k = 0; k < dim; k++)
            {
                float xk = x[i * dim + k];
                var coordinate = byCoordinate.AsSpan(k * ny, ny);
                var xs = new Vector<float>(xk);
                int j = 0;
                for (; j < vectorEnd; j += width)
                {
                    Vector.Widen(xs - new Vector<float>(coordinate.Slice(j, width)), out var low, out var high);
                    var lowSquares = squares.AsSpan(j, half);
                    var highSquares = squares.AsSpan(j + half, half);
                    (new Vector<double>(lowSquares) + low * low).CopyTo(lowSquares);
                    (new Vector<double>(highSquares) + high * high).CopyTo(highSquares);
                }
                for (; j < ny; j++)
                {
                    double diff = xk - coordinate[j];
                    squares[j] += diff * diff;
                }
            }
            System.Numerics.Tensors.TensorPrimitives.Sqrt(squares, squares);
            double row = 0;
            for (int j = 0; j < ny; j++) row += squares[j];
            total += row;
        }
        return total / ((double)nx * ny);
    }
}
