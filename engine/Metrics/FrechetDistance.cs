namespace MemristorGrid.Engine.Metrics;

/// <summary>
/// The Fréchet distance between Gaussians fitted to two sets of feature vectors (Heusel et al. 2017,
/// the formula of FID): ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½). Tr((Σ₁Σ₂)^½) is computed as the sum of
/// the square roots of the eigenvalues of Σ₁^½ Σ₂ Σ₁^½ (symmetric, so a Jacobi eigensolver suffices).
/// Covariances use the unbiased 1/(n − 1) estimate. Small sets bias the figure upwards: compare
/// distances computed from the same numbers of samples.
/// </summary>
public static class FrechetDistance
{
    public static double Compute(ReadOnlySpan<float> a, int countA, ReadOnlySpan<float> b, int countB, int dim)
    {
        if (countA < 2 || countB < 2) return double.NaN;
        var (meanA, covA) = Moments(a, countA, dim);
        var (meanB, covB) = Moments(b, countB, dim);
        double meanTerm = 0;
        for (int i = 0; i < dim; i++) meanTerm += (meanA[i] - meanB[i]) * (meanA[i] - meanB[i]);
        double trace = 0;
        for (int i = 0; i < dim; i++) trace += covA[i * dim + i] + covB[i * dim + i];
        double[] rootA = SymmetricFunction(covA, dim, Math.Sqrt);
        double[] inner = Multiply(Multiply(rootA, covB, dim), rootA, dim);
        var (values, _) = JacobiEigen(inner, dim);
        double rootTrace = values.Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return Math.Max(meanTerm + trace - 2 * rootTrace, 0);
    }

    private static (double[] Mean, double[] Cov) Moments(ReadOnlySpan<float> x, int n, int d)
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
                AddScaled(cov.AsSpan(i * d + i, d - i), ci, centred.AsSpan(i));
            }
        }
        for (int i = 0; i < d; i++)
            for (int j = i; j < d; j++) cov[j * d + i] = cov[i * d + j] /= n - 1;
        return (mean, cov);
    }

    private static double[] Multiply(double[] a, double[] b, int d)
    {
        var c = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++)
            {
                double aik = a[i * d + k];
                if (aik == 0) continue;
                for (int j = 0; j < d; j++) c[i * d + j] += aik * b[k * d + j];
            }
        return c;
    }

    /// <summary>f(S) for symmetric S through its eigendecomposition (negative round-off eigenvalues clamped to 0).</summary>
    internal static double[] SymmetricFunction(double[] s, int d, Func<double, double> f)
    {
        var (values, vectors) = JacobiEigen(s, d);
        var result = new double[d * d];
        for (int k = 0; k < d; k++)
        {
            double fk = f(Math.Max(values[k], 0));
            for (int i = 0; i < d; i++)
            {
                double vik = vectors[i * d + k] * fk;
                for (int j = 0; j < d; j++) result[i * d + j] += vik * vectors[j * d + k];
            }
        }
        return result;
    }

    /// <summary>into[j] += scale · x[j], each element as the scalar loop computes it (a product, then a sum).</summary>
    private static void AddScaled(Span<double> into, double scale, ReadOnlySpan<double> x)
    {
        int width = System.Numerics.Vector<double>.Count, j = 0;
        if (SampleMetrics.VectorsOn)
        {
            var scales = new System.Numerics.Vector<double>(scale);
            for (; j <= into.Length - width; j += width)
                (new System.Numerics.Vector<double>(into.Slice(j, width)) + scales * new System.Numerics.Vector<double>(x.Slice(j, width))).CopyTo(into.Slice(j, width));
        }
        for (; j < into.Length; j++) into[j] += scale * x[j];
    }

    /// <summary>The plane rotation of rows p and q: (p, q) ← (c·p − s·q, s·p + c·q), each element as the scalar loop computes it.</summary>
    private static void Rotate(Span<double> p, Span<double> q, double c, double s)
    {
        int width = System.Numerics.Vector<double>.Count, k = 0;
        if (SampleMetrics.VectorsOn)
        {
            var cs = new System.Numerics.Vector<double>(c);
            var ss = new System.Numerics.Vector<double>(s);
            for (; k <= p.Length - width; k += width)
            {
                var pk = new System.Numerics.Vector<double>(p.Slice(k, width));
                var qk = new System.Numerics.Vector<double>(q.Slice(k, width));
                (cs * pk - ss * qk).CopyTo(p.Slice(k, width));
                (ss * pk + cs * qk).CopyTo(q.Slice(k, width));
            }
        }
        for (; k < p.Length; k++)
        {
            double pk = p[k], qk = q[k];
            p[k] = c * pk - s * qk;
            q[k] = s * pk + c * qk;
        }
    }

    /// <summary>Cyclic Jacobi rotations: eigenvalues and eigenvectors (columns) of a symmetric matrix.</summary>
    internal static (double[] Values, double[] Vectors) JacobiEigen(double[] symmetric, int d)
    {
        var a = (double[])symmetric.Clone();
        // The eigenvectors by row (v transposed), so their rotations, like the rows of a, run over contiguous memory.
        var vt = new double[d * d];
        for (int i = 0; i < d; i++) vt[i * d + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < d; i++)
            {
                diag += a[i * d + i] * a[i * d + i];
                for (int j = i + 1; j < d; j++) off += a[i * d + j] * a[i * d + j];
            }
            if (off <= 1e-30 * Math.Max(diag, 1e-300)) break;
            for (int p = 0; p < d; p++)
                for (int q = p + 1; q < d; q++)
                {
                    double apq = a[p * d + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < d; k++)
                    {
                        double akp = a[k * d + p], akq = a[k * d + q];
                        a[k * d + p] = c * akp - s * akq;
                        a[k * d + q] = s * akp + c * akq;
                    }
                    Rotate(a.AsSpan(p * d, d), a.AsSpan(q * d, d), c, s);
                    Rotate(vt.AsSpan(p * d, d), vt.AsSpan(q * d, d), c, s);
                }
        }
        var values = new double[d];
        for (int i = 0; i < d; i++) values[i] = a[i * d + i];
        var v = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++) v[k * d + i] = vt[i * d + k];
        return (values, v);
    }
}
