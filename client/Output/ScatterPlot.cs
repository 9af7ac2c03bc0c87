using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>Generated-vs-reference scatter plots (PNG, headless).</summary>
public static class ScatterPlot
{
    /// <summary>Reference points in grey, generated points coloured by class (one colour when unlabelled).</summary>
    public static byte[] Render(string title, ReadOnlySpan<float> generated, ReadOnlySpan<int> generatedLabels,
        ReadOnlySpan<float> reference, int dim, IReadOnlyList<string> classNames)
    {
        PlotFont.Ensure();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Name);
        plot.Title(title);
        plot.XLabel("x1");
        plot.YLabel(dim > 1 ? "x2" : "");

        var (rx, ry) = Columns(reference, dim, null, -1);
        var refPoints = plot.Add.ScatterPoints(rx, ry, Colors.Gray.WithAlpha(0.35));
        refPoints.MarkerSize = 2;
        refPoints.LegendText = "reference";

        var palette = new ScottPlot.Palettes.Category10();
        if (generatedLabels.Length == 0)
        {
            var (gx, gy) = Columns(generated, dim, null, -1);
            var s = plot.Add.ScatterPoints(gx, gy, palette.GetColor(0).WithAlpha(0.6));
            s.MarkerSize = 2;
            s.LegendText = "generated";
        }
        else
        {
            for (int c = 0; c < Math.Max(classNames.Count, 1); c++)
            {
                var (gx, gy) = Columns(generated, dim, generatedLabels, c);
                if (gx.Length == 0) continue;
                var s = plot.Add.ScatterPoints(gx, gy, palette.GetColor(c).WithAlpha(0.6));
                s.MarkerSize = 2;
                s.LegendText = $"generated {(c < classNames.Count ? classNames[c] : c.ToString())}";
            }
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.SquareUnits();
        return plot.GetImageBytes(900, 800, ImageFormat.Png);
    }

    private static (double[] X, double[] Y) Columns(ReadOnlySpan<float> data, int dim, ReadOnlySpan<int> labels, int label)
    {
        int n = data.Length / dim;
        var xs = new List<double>(n);
        var ys = new List<double>(n);
        for (int i = 0; i < n; i++)
        {
            if (label >= 0 && labels[i] != label) continue;
            xs.Add(data[i * dim]);
            ys.Add(dim > 1 ? data[i * dim + 1] : 0);
        }
        return (xs.ToArray(), ys.ToArray());
    }
}
