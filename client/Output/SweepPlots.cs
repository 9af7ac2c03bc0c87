using MemristorGrid.Engine.Experiments;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>A sweep's pictures: quality against each swept key (error bars over chips), and energy per
/// sample against quality with the Pareto front drawn.</summary>
internal static class SweepPlots
{
    public static string FileSafe(string key) => string.Concat(key.Select(ch => char.IsLetterOrDigit(ch) || ch is '.' or '-' or '_' ? ch : '-'));

    /// <summary>One line per model and setting of the other axes; x is the axis value (its position when not numeric).</summary>
    public static byte[] QualityVersus(SweepPlan plan, IReadOnlyList<SweepPoint> points, int axis, SweepMetric metric)
    {
        var plot = NewPlot(plan.Axes.Count == 0 ? $"{metric.Key()} per model ({plan.Chips} chips each)" : $"{metric.Key()} vs {plan.Axes[axis].Name} (mean ± s.e. over {plan.Chips} chips)");
        var categories = plan.Axes.Count == 0 ? plan.Models.Select(m => m.Name).ToList() : plan.Axes[axis].Values.ToList();
        double[]? numeric = plan.Axes.Count == 0 ? null : plan.Axes[axis].NumericValues();
        double X(SweepPoint p) => plan.Axes.Count == 0 ? categories.IndexOf(p.Model.Name)
            : numeric is { } n ? n[categories.IndexOf(p.Settings[axis])] : categories.IndexOf(p.Settings[axis]);
        var palette = new ScottPlot.Palettes.Category10();
        var series = points.Where(p => p.Quality is not null)
            .GroupBy(p => plan.Axes.Count == 0 ? "" : $"{p.Model.Name}{string.Concat(p.Settings.Where((_, i) => i != axis).Select((s, i) => $", {OtherAxes(plan, axis)[i]}={s}"))}")
            .ToList();
        // Series that coincide (a key that changes nothing for a model) would hide each other: each is
        // shifted sideways by a small, fixed fraction of the axis and drawn with its own marker.
        var allX = points.Select(X).ToList();
        double span = allX.Count > 0 && allX.Max() > allX.Min() ? allX.Max() - allX.Min() : 1;
        MarkerShape[] shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown];
        for (int k = 0; k < series.Count; k++)
        {
            var line = series[k].OrderBy(X).ToList();
            double dodge = series.Count > 1 ? (k - (series.Count - 1) / 2.0) * 0.012 * span : 0;
            double[] xs = line.Select(p => X(p) + dodge).ToArray(), ys = line.Select(p => p.Quality!.Mean).ToArray();
            var color = palette.GetColor(k % 10);
            var bars = plot.Add.ErrorBar(xs, ys, line.Select(p => p.Quality!.StandardError).ToArray());
            bars.Color = color;
            var scatter = plot.Add.Scatter(xs, ys, color);
            scatter.MarkerSize = 8;
            scatter.MarkerShape = shapes[k % shapes.Length];
            scatter.LineWidth = plan.Axes.Count == 0 ? 0 : 2;
            if (series.Count > 1 || plan.Axes.Count > 0) scatter.LegendText = series[k].Key;
        }
        plot.XLabel(plan.Axes.Count == 0 ? "model" : plan.Axes[axis].Name);
        plot.YLabel(metric.Key());
        if (numeric is null)
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(categories.Select((c, i) => new Tick(i, c)).ToArray());
        plot.Axes.Margins(0.08, 0.12);
        plot.ShowLegend(Edge.Bottom);
        return plot.GetImageBytes(900, 600 + 22 * series.Count, ImageFormat.Png);
    }

    /// <summary>Every configuration as a point (colour = model); the front is a line through its members, each labelled with its settings.</summary>
    public static byte[] Pareto(SweepPlan plan, IReadOnlyList<SweepPoint> points, SweepMetric metric)
    {
        var plot = NewPlot($"energy per sample vs {metric.Key()} — Pareto front ({(metric.HigherIsBetter() ? "higher" : "lower")} {metric.Key()} and lower energy are better)");
        var palette = new ScottPlot.Palettes.Category10();
        var scored = points.Where(p => p.Quality is not null).ToList();
        for (int m = 0; m < plan.Models.Count; m++)
        {
            var mine = scored.Where(p => p.Model == plan.Models[m]).ToList();
            if (mine.Count == 0) continue;
            double[] xs = mine.Select(p => p.Energy.Mean * 1e6).ToArray(), ys = mine.Select(p => p.Quality!.Mean).ToArray();
            var bars = plot.Add.ErrorBar(xs, ys, mine.Select(p => p.Quality!.StandardError).ToArray());
            bars.Color = palette.GetColor(m % 10);
            var dots = plot.Add.ScatterPoints(xs, ys, palette.GetColor(m % 10));
            dots.MarkerSize = 9;
            dots.LegendText = plan.Models[m].Name;
        }
        var front = scored.Where(p => p.OnParetoFront).OrderBy(p => p.Energy.Mean).ToList();
        if (front.Count > 0)
        {
            var line = plot.Add.Scatter(front.Select(p => p.Energy.Mean * 1e6).ToArray(), front.Select(p => p.Quality!.Mean).ToArray(), Colors.Black);
            line.MarkerShape = MarkerShape.OpenCircle;
            line.MarkerSize = 16;
            line.LineWidth = 1.5f;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "Pareto front";
            // Each front point (configurations at the same point share one) gets a number beside its marker, alternately
            // right and left and stepped, and the numbers are explained in a box: settings written beside close points
            // printed over each other.
            var groups = front.GroupBy(p => (p.Energy.Mean, p.Quality!.Mean)).ToList();
            var key = new System.Text.StringBuilder("Pareto front");
            for (int g = 0; g < groups.Count; g++)
            {
                var number = plot.Add.Text($"{g + 1}", groups[g].Key.Item1 * 1e6, groups[g].Key.Item2);
                number.LabelFontSize = 12;
                number.LabelBold = true;
                number.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
                number.OffsetX = g % 2 == 0 ? 12 : -24;
                number.OffsetY = -8 - 14 * (g / 2 % 3);
                key.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n{g + 1}: {string.Join(" | ", groups[g].Select(p => Label(plan, p)))}");
            }
            var box = plot.Add.Annotation(key.ToString(), Alignment.UpperRight);
            box.LabelFontSize = 11;
            box.LabelBackgroundColor = Colors.White.WithAlpha(0.9);
            box.LabelBorderColor = Colors.Gray;
            box.LabelShadowColor = Colors.Transparent;
        }
        plot.XLabel("energy per sample (µJ, simulated)");
        plot.YLabel($"{metric.Key()} (mean ± s.e. over {plan.Chips} chips)");
        plot.Axes.Margins(0.15, 0.12);
        ReadableEnergyAxis(plot, scored.Select(p => p.Energy.Mean * 1e6).ToList());
        plot.ShowLegend(Edge.Bottom);
        return plot.GetImageBytes(1000, 700, ImageFormat.Png);
    }

    /// <summary>The smallest energy span an axis shows, as a fraction of the energies: configurations whose energies differ by
    /// parts per million (a key that hardly changes it) would otherwise get a span of ppm and tick labels of 7 digits.</summary>
    public const double MinimumEnergySpan = 0.02;

    /// <summary>Widens the x axis to <see cref="MinimumEnergySpan"/> of the energies around them when they are closer than that.</summary>
    public static void ReadableEnergyAxis(Plot plot, IReadOnlyList<double> energies)
    {
        if (energies.Count == 0) return;
        double min = energies.Min(), max = energies.Max(), centre = (min + max) / 2, least = MinimumEnergySpan * Math.Abs(centre);
        if (max - min >= least || least == 0) return;
        plot.Axes.SetLimitsX(centre - 0.5 * least, centre + 0.5 * least);
    }

    private static string Label(SweepPlan plan, SweepPoint p) =>
        plan.Axes.Count == 0 ? p.Model.Name
            : (plan.Models.Count > 1 ? $"{p.Model.Name}: " : "") + string.Join(", ", plan.Axes.Select((a, i) => $"{Short(a.Name)}={p.Settings[i]}"));

    private static string Short(string key) => key[(key.LastIndexOf('.') + 1)..];

    private static IReadOnlyList<string> OtherAxes(SweepPlan plan, int axis) => plan.Axes.Where((_, i) => i != axis).Select(a => a.Name).ToList();

    private static Plot NewPlot(string title)
    {
        PlotFont.Ensure();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Name);
        plot.Title(title);
        return plot;
    }
}
