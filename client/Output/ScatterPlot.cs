using System.Reflection;
using MemristorGrid.Engine.IO;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>Generated-vs-reference scatter plots (PNG, headless). The font ships with the tool because
/// machines without system fonts would otherwise render plots with no text at all.</summary>
public static class ScatterPlot
{
    private const string FontName = "DejaVu Sans";
    private static readonly Lazy<bool> FontRegistered = new(RegisterFont);

    private static bool RegisterFont()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DejaVuSans.ttf")
            ?? throw new InvalidOperationException("bundled font missing");
        string path = Path.Combine(Path.GetTempPath(), $"memgrid-DejaVuSans-{stream.Length}.ttf");
        if (!File.Exists(path) || new FileInfo(path).Length != stream.Length)
            AtomicFile.Write(path, s => stream.CopyTo(s));
        Fonts.AddFontFile(FontName, path, bold: false, italic: false);
        Fonts.AddFontFile(FontName, path, bold: true, italic: false);
        Fonts.Default = FontName;
        return true;
    }

    /// <summary>Reference points in grey, generated points coloured by class (one colour when unlabelled).</summary>
    public static byte[] Render(string title, ReadOnlySpan<float> generated, ReadOnlySpan<int> generatedLabels,
        ReadOnlySpan<float> reference, int dim, IReadOnlyList<string> classNames)
    {
        _ = FontRegistered.Value;
        var plot = new Plot();
        plot.Font.Set(FontName);
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
