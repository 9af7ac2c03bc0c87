using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Tests;

/// <summary>The metrics' vectorised loops give the bits of the plain loops they replaced (kept here as the oracle).</summary>
public class MetricKernelTests
{
    private static float[] Random(int n, ulong stream, double scale = 1, double zeroShare = 0)
    {
        var rng = Streams.Rng(3, StreamPurpose.Reference, 41, stream);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = rng.Uniform((ulong)(2 * i)) < zeroShare ? 0 : (float)(scale * rng.Gaussian((ulong)(2 * i + 1)));
        return v;
    }

    private static double PlainMeanDistance(float[] x, float[] y, int dim)
    {
        int nx = x.Length / dim, ny = y.Length / dim;
        double total = 0;
        for (int i = 0; i < nx; i++)
        {
            double row = 0;
            for (int j = 0; j < ny; j++)
            {
                double sq = 0;
                for (int k = 0; k < dim; k++)
                {
                    double diff = x[i * dim + k] - y[j * dim + k];
                    sq += diff * diff;
                }
                row += Math.Sqrt(sq);
            }
            total += row;
        }
        return total / ((double)nx * ny);
    }

    [Theory]
    [InlineData(37, 53, 2)]
    [InlineData(200, 301, 8)]
    [InlineData(5, 3, 13)]
    public void Mean_distance_has_the_plain_loops_bits(int nx, int ny, int dim)
    {
        var x = Random(nx * dim, 1);
        var y = Random(ny * dim, 2, 3);
        Assert.Equal(BitConverter.DoubleToInt64Bits(PlainMeanDistance(x, y, dim)), BitConverter.DoubleToInt64Bits(SampleMetrics.MeanDistance(x, y, dim)));
    }

    /// <summary>The Fréchet distance as computed before its loops were vectorised: moments, then cyclic Jacobi with column-stored vectors.</summary>
    private static double PlainFrechet(float[] a, int na, float[] b, int nb, int d)
    {
        (double[] Mean, double[] Cov) Moments(float[] x, int n)
        {
            var mean = new double[d];
            for (int r = 0; r < n; r++)
                for (int i = 0; i < d; i++) mean[i] += x[r * d + i];
            for (int i = 0; i < d; i++) mean[i] /= n;
            var cov = new double[d * d];
            var centred = new double[d];
            for (int r = 0; r < n; r++)
            {
                for (int i = 0; i < d; i++) centred[i] = x[r * d + i] - mean[i];
                for (int i = 0; i < d; i++)
                {
                    double ci = centred[i];
                    if (ci == 0) continue;
                    for (int j = i; j < d; j++) cov[i * d + j] += ci * centred[j];
                }
            }
            for (int i = 0; i < d; i++)
                for (int j = i; j < d; j++) cov[j * d + i] = cov[i * d + j] /= n - 1;
            return (mean, cov);
        }
        (double[] Values, double[] Vectors) Jacobi(double[] symmetric)
        {
            var m = (double[])symmetric.Clone();
            var v = new double[d * d];
            for (int i = 0; i < d; i++) v[i * d + i] = 1;
            for (int sweep = 0; sweep < 100; sweep++)
            {
                double off = 0, diag = 0;
                for (int i = 0; i < d; i++)
                {
                    diag += m[i * d + i] * m[i * d + i];
                    for (int j = i + 1; j < d; j++) off += m[i * d + j] * m[i * d + j];
                }
                if (off <= 1e-30 * Math.Max(diag, 1e-300)) break;
                for (int p = 0; p < d; p++)
                    for (int q = p + 1; q < d; q++)
                    {
                        double apq = m[p * d + q];
                        if (Math.Abs(apq) < 1e-300) continue;
                        double theta = (m[q * d + q] - m[p * d + p]) / (2 * apq);
                        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                        if (theta == 0) t = 1;
                        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                        for (int k = 0; k < d; k++) { double akp = m[k * d + p], akq = m[k * d + q]; m[k * d + p] = c * akp - s * akq; m[k * d + q] = s * akp + c * akq; }
                        for (int k = 0; k < d; k++) { double apk = m[p * d + k], aqk = m[q * d + k]; m[p * d + k] = c * apk - s * aqk; m[q * d + k] = s * apk + c * aqk; }
                        for (int k = 0; k < d; k++) { double vkp = v[k * d + p], vkq = v[k * d + q]; v[k * d + p] = c * vkp - s * vkq; v[k * d + q] = s * vkp + c * vkq; }
                    }
            }
            var values = new double[d];
            for (int i = 0; i < d; i++) values[i] = m[i * d + i];
            return (values, v);
        }
        double[] Multiply(double[] x, double[] y)
        {
            var c = new double[d * d];
            for (int i = 0; i < d; i++)
                for (int k = 0; k < d; k++)
                {
                    double xik = x[i * d + k];
                    if (xik == 0) continue;
                    for (int j = 0; j < d; j++) c[i * d + j] += xik * y[k * d + j];
                }
            return c;
        }
        var (meanA, covA) = Moments(a, na);
        var (meanB, covB) = Moments(b, nb);
        double meanTerm = 0, trace = 0;
        for (int i = 0; i < d; i++) meanTerm += (meanA[i] - meanB[i]) * (meanA[i] - meanB[i]);
        for (int i = 0; i < d; i++) trace += covA[i * d + i] + covB[i * d + i];
        var (va, vecs) = Jacobi(covA);
        var rootA = new double[d * d];
        for (int k = 0; k < d; k++)
        {
            double fk = Math.Sqrt(Math.Max(va[k], 0));
            for (int i = 0; i < d; i++)
            {
                double vik = vecs[i * d + k] * fk;
                for (int j = 0; j < d; j++) rootA[i * d + j] += vik * vecs[j * d + k];
            }
        }
        var (values, _) = Jacobi(Multiply(Multiply(rootA, covB), rootA));
        double rootTrace = values.Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return Math.Max(meanTerm + trace - 2 * rootTrace, 0);
    }

    /// <summary>Features like a classifier's: some units dead (exact zeros, which the moments skip), widths that are and are not a multiple of the vector.</summary>
    [Theory]
    [InlineData(64, 500, 300)]
    [InlineData(13, 90, 40)]
    [InlineData(3, 10, 7)]
    public void Frechet_distance_has_the_plain_loops_bits(int dim, int na, int nb)
    {
        var a = Random(na * dim, 3, 1, 0.2);
        var b = Random(nb * dim, 4, 1.3, 0.2);
        for (int i = 0; i < a.Length; i++) a[i] = Math.Max(a[i], 0);
        double plain = PlainFrechet(a, na, b, nb, dim), now = FrechetDistance.Compute(a, na, b, nb, dim);
        Assert.True(plain > 0);
        Assert.Equal(BitConverter.DoubleToInt64Bits(plain), BitConverter.DoubleToInt64Bits(now));
    }
}
