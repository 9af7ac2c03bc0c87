using System.Globalization;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>
/// Generated-vs-reference scatter plots (PNG, headless). Two dimensions are drawn as they are; more are
/// projected on the reference's first two principal components (the generated points on the same axes),
/// so a 16-D model shows its whole distribution, not two coordinates. Axes span the 0.5–99.5 percentiles
/// of all points, so a few outliers cannot squeeze the rest into a corner; how many fall outside is in
/// the legend. At most <see cref="MaxPointsPerLayer"/> points per layer are drawn (a fixed pseudo-random subset, said in
/// the legend).
/// </summary>
public static class ScatterPlot
{
    public const int MaxPointsPerLayer = 4000;

    /// <summary>Reference points under the generated points, both coloured by class (one colour when unlabelled): the reference
    /// pale, the generated strong, so a reader sees which class went where (a latent model's reference was all grey).</summary>
    public static byte[] Render(string title, ReadOnlySpan<float> generated, ReadOnlySpan<int> generatedLabels,
        ReadOnlySpan<float> reference, int dim, IReadOnlyList<string> classNames, int[]? referenceLabels = null)
    {
        PlotFont.Ensure();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Name);
        plot.Title(title);
        var projection = Projection.For(dim > 2 ? (reference.Length > 0 ? reference : generated) : default, dim);
        plot.XLabel(projection.AxisName(0));
        plot.YLabel(dim > 1 ? projection.AxisName(1) : "");

        var gen = projection.Apply(generated, dim);
        var refs = projection.Apply(reference, dim);
        var (xMin, xMax) = RobustRange(gen.X, refs.X);
        var (yMin, yMax) = RobustRange(gen.Y, refs.Y);
        int outside = gen.X.Zip(gen.Y).Count(p => p.First < xMin || p.First > xMax || p.Second < yMin || p.Second > yMax);

        var palette = new ScottPlot.Palettes.Category10();
        bool byClass = referenceLabels is { } known && known.Length == refs.X.Length && known.Distinct().Count() > 1;
        if (refs.X.Length > 0 && byClass)
        {
            int drawn = 0;
            foreach (int c in referenceLabels!.Distinct().Order())
            {
                var (rx, ry) = Thin(refs.X, refs.Y, referenceLabels, c);
                drawn += rx.Length;
                var refPoints = plot.Add.ScatterPoints(rx, ry, palette.GetColor(c % 10).WithAlpha(0.22));
                refPoints.MarkerSize = 4;
            }
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = $"reference, pale, coloured by class ({Count(refs.X.Length, drawn)})",
                MarkerShape = MarkerShape.FilledCircle, MarkerFillColor = palette.GetColor(0).WithAlpha(0.22), MarkerSize = 6,
            });
        }
        else if (refs.X.Length > 0)
        {
            var (rx, ry) = Thin(refs.X, refs.Y, null, 0);
            var refPoints = plot.Add.ScatterPoints(rx, ry, new Color(110, 110, 110).WithAlpha(0.45));
            refPoints.MarkerSize = 4;
            refPoints.LegendText = $"reference ({Count(refs.X.Length, rx.Length)})";
        }
        int classes = generatedLabels.Length == 0 ? 1 : Math.Max(classNames.Count, 1);
        int[]? labels = generatedLabels.Length == 0 ? null : generatedLabels.ToArray();
        for (int c = 0; c < classes; c++)
        {
            var (gx, gy) = Thin(gen.X, gen.Y, labels, c);
            if (gx.Length == 0) continue;
            var s = plot.Add.ScatterPoints(gx, gy, palette.GetColor(c % 10).WithAlpha(0.85));
            s.MarkerSize = byClass ? 6 : 4; // over a pale reference of the same colours, the generated points stand out by size
            int total = labels?.Count(l => l == c) ?? gen.X.Length;
            s.LegendText = generatedLabels.Length == 0 ? $"generated ({Count(total, gx.Length)})"
                : $"generated {(c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture))} ({Count(total, gx.Length)})";
        }
        if (outside > 0)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{outside} generated point(s) beyond the axes (0.5–99.5 percentile range)" });
        // A long legend (ten classes) goes right of the axes, where it has the picture's height; a short one below.
        int items = plot.Legend.GetItems().Length;
        plot.ShowLegend(items > 4 ? Edge.Right : Edge.Bottom);
        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        if (dim <= 2) plot.Axes.SquareUnits();
        return items > 4 ? plot.GetImageBytes(1250, Math.Max(900, 120 + 28 * items), ImageFormat.Png) : plot.GetImageBytes(900, 900, ImageFormat.Png);
    }

    private static string Count(int total, int drawn) => drawn == total ? $"{total}" : $"{drawn} of {total} drawn";

    /// <summary>
    /// The points of class <paramref name="label"/> (all of them when unlabelled), at most <see cref="MaxPointsPerLayer"/>:
    /// those whose index ranks first under a fixed hash, a pseudo-random subset. Every k-th point was aliased with
    /// periodic files: a reference CSV whose rows alternate two classes showed only one of them.
    /// </summary>
    internal static (double[] X, double[] Y) Thin(double[] x, double[] y, int[]? labels, int label)
    {
        // The ranks by hash are a heap's work, not a sort's: at 10⁶ points a sort of them all held ~30 MB at the run's peak.
        static uint Hash(int i) => (uint)i * 2654435761u; // Knuth's multiplicative hash: distinct for distinct i
        var chosen = new PriorityQueue<int, uint>(MaxPointsPerLayer + 1, Comparer<uint>.Create((a, b) => b.CompareTo(a))); // largest hash first
        for (int i = 0; i < x.Length; i++)
        {
            if (labels is not null && labels[i] != label) continue;
            if (chosen.Count < MaxPointsPerLayer) chosen.Enqueue(i, Hash(i));
            else if (chosen.TryPeek(out _, out uint largest) && Hash(i) < largest) chosen.EnqueueDequeue(i, Hash(i));
        }
        var index = chosen.UnorderedItems.Select(e => e.Element).Order().ToArray();
        return (index.Select(i => x[i]).ToArray(), index.Select(i => y[i]).ToArray());
    }

    /// <summary>The 0.5–99.5 percentile range of both arrays' finite values, padded by 8 % each side (sorted in one array of their
    /// size).</summary>
    public static (double Min, double Max) RobustRange(double[] first, double[] second)
    {
        var sorted = new double[first.Length + second.Length];
        int n = 0;
        foreach (double v in first) if (double.IsFinite(v)) sorted[n++] = v;
        foreach (double v in second) if (double.IsFinite(v)) sorted[n++] = v;
        if (n == 0) return (-1, 1);
        Array.Sort(sorted, 0, n);
        double lo = sorted[(int)(0.005 * (n - 1))], hi = sorted[(int)Math.Ceiling(0.995 * (n - 1))];
        double pad = Math.Max(hi - lo, 1e-6) * 0.08;
        return (lo - pad, hi + pad);
    }

    /// <summary>Identity for one or two dimensions; the first two principal components (of the given data) for more.</summary>
    private sealed class Projection
    {
        private readonly double[]? _mean, _pc1, _pc2;
        private readonly double _share1, _share2;

        private Projection(double[]? mean, double[]? pc1, double[]? pc2, double share1, double share2) =>
            (_mean, _pc1, _pc2, _share1, _share2) = (mean, pc1, pc2, share1, share2);

        public static Projection For(ReadOnlySpan<float> data, int dim)
        {
            if (dim <= 2 || data.Length < dim) return new Projection(null, null, null, 0, 0);
            int n = data.Length / dim;
            var mean = new double[dim];
            for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) mean[j] += data[i * dim + j] / (double)n;
            var cov = new double[dim, dim];
            for (int i = 0; i < n; i++)
                for (int a = 0; a < dim; a++)
                    for (int b = a; b < dim; b++)
                        cov[a, b] += (data[i * dim + a] - mean[a]) * (data[i * dim + b] - mean[b]) / n;
            for (int a = 0; a < dim; a++) for (int b = 0; b < a; b++) cov[a, b] = cov[b, a];
            double trace = Enumerable.Range(0, dim).Sum(k => cov[k, k]);
            var (pc1, l1) = Leading(cov, dim, null);
            var (pc2, l2) = Leading(cov, dim, pc1);
            return new Projection(mean, pc1, pc2, trace > 0 ? l1 / trace : 0, trace > 0 ? l2 / trace : 0);
        }

        /// <summary>Power iteration for the leading eigenvector, orthogonal to <paramref name="deflate"/> when given.</summary>
        private static (double[] Vector, double Value) Leading(double[,] cov, int dim, double[]? deflate)
        {
            var v = Enumerable.Range(0, dim).Select(k => 1.0 + 0.1 * k).ToArray();
            double value = 0;
            for (int iteration = 0; iteration < 500; iteration++)
            {
                if (deflate is not null) { double d = Dot(v, deflate); for (int k = 0; k < dim; k++) v[k] -= d * deflate[k]; }
                var w = new double[dim];
                for (int a = 0; a < dim; a++) for (int b = 0; b < dim; b++) w[a] += cov[a, b] * v[b];
                double norm = Math.Sqrt(Dot(w, w));
                if (norm == 0) break;
                for (int k = 0; k < dim; k++) w[k] /= norm;
                value = norm;
                v = w;
            }
            return (v, value);
        }

        private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

        public string AxisName(int axis) => _mean is null
            ? $"x{axis + 1}"
            : string.Create(CultureInfo.InvariantCulture, $"principal component {axis + 1} ({100 * (axis == 0 ? _share1 : _share2):F0} % of the variance)");

        public (double[] X, double[] Y) Apply(ReadOnlySpan<float> data, int dim)
        {
            int n = data.Length / Math.Max(dim, 1);
            var x = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                if (_mean is null)
                {
                    x[i] = data[i * dim];
                    y[i] = dim > 1 ? data[i * dim + 1] : 0;
                    continue;
                }
                for (int j = 0; j < dim; j++)
                {
                    double c = data[i * dim + j] - _mean[j];
                    x[i] += c * _pc1![j];
                    y[i] += c * _pc2![j];
                }
            }
            return (x, y);
        }
    }
}
