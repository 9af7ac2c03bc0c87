using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Accounting;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>
/// Energy per sample, one slot per tile in plan order (its cells, TIAs, converters and links), then one for
/// everything outside the tiles (activation circuits, controller, integrators, DACs, readout, the links to the
/// integrators); the slots' totals add up to the run's. Coloured by component on a logarithmic axis; each tile's
/// label names its chip; the legend sits right of the axes, never over a point.
/// </summary>
public static class TileEnergyPlot
{
    /// <summary>One stacked segment: the bar it belongs to (a tile id, or <see cref="Periphery"/>), its component, joules per sample.</summary>
    public sealed record Segment(string Bar, int? Chip, string Component, double JoulesPerSample);

    public const string Periphery = "outside the tiles";

    /// <summary>The data behind the plot: every segment of every bar. Their sum is the run's energy per sample.</summary>
    public static IReadOnlyList<Segment> Segments(AnalogRunResult result)
    {
        double n = Math.Max(1, result.SampleCount);
        var segments = new List<Segment>();
        foreach (var t in result.Tiles)
        {
            segments.Add(new Segment(t.Id, t.Chip, "crossbar cells", t.CellEnergyJoules / n));
            segments.Add(new Segment(t.Id, t.Chip, "TIAs", t.TiaEnergyJoules / n));
            segments.Add(new Segment(t.Id, t.Chip, "tile converters", t.ConverterEnergyJoules / n));
            segments.Add(new Segment(t.Id, t.Chip, "tile links", t.LinkEnergyJoules / n));
        }
        foreach (var (key, joules) in result.Energy.Periphery(result.Tiles.Sum(t => t.LinkEnergyJoules)))
            segments.Add(new Segment(Periphery, null, key.Replace('_', ' '), joules / n));
        return segments;
    }

    public static byte[] Render(string title, AnalogRunResult result, IReadOnlyList<EnergyLine>? bands = null)
    {
        var plot = Create(title, result, out int bars, bands);
        // The legend is a column right of the axes: the picture is as tall as it needs.
        return plot.GetImageBytes(Math.Clamp(420 + 40 * bars, 1000, 2600), Math.Max(700, 260 + 30 * plot.Legend.GetItems().Length), ImageFormat.Png);
    }

    /// <summary>
    /// Each bar's components as dots on a logarithmic axis, with the bar's total as a black dash: a tile's crossbar
    /// cells spend orders of magnitude less than its TIAs, and stacked on a linear axis they were a sliver no one
    /// could see. The legend gives each component's share of the run's total.
    /// </summary>
    /// <param name="bands">The run's energy lines: each dot then carries its component's band as a vertical line
    /// (the same relative band for every tile, since every tile's component scales with the same parameters).</param>
    public static Plot Create(string title, AnalogRunResult result, out int barCount, IReadOnlyList<EnergyLine>? bands = null)
    {
        PlotFont.Ensure();
        var segments = Segments(result);
        double total = segments.Sum(s => s.JoulesPerSample);
        var plot = new Plot();
        plot.Font.Set(PlotFont.Name);
        plot.Title(title);
        plot.YLabel("energy per sample (log scale)");
        var palette = new ScottPlot.Palettes.Category20();
        var components = segments.Select(s => s.Component).Distinct().ToList();
        var barNames = segments.Select(s => s.Bar).Distinct().ToList();
        barCount = barNames.Count;
        var shown = components.Where(c => segments.Any(s => s.Component == c && s.JoulesPerSample > 0)).ToList();
        var logsOfBands = new List<double>();
        for (int k = 0; k < shown.Count; k++)
        {
            // Components side by side within a bar's slot, so equal values do not hide each other.
            double offset = shown.Count == 1 ? 0 : 0.5 * ((double)k / (shown.Count - 1) - 0.5);
            var mine = segments.Where(s => s.Component == shown[k] && s.JoulesPerSample > 0).ToList();
            var dots = plot.Add.ScatterPoints(mine.Select(s => barNames.IndexOf(s.Bar) + offset).ToArray(), mine.Select(s => Math.Log10(s.JoulesPerSample)).ToArray(),
                palette.GetColor(components.IndexOf(shown[k])));
            dots.MarkerSize = 8;
            dots.LegendText = $"{shown[k]} {Share(mine.Sum(s => s.JoulesPerSample) / total)}";
            if (Band(bands, shown[k]) is var (low, high) && high > low)
                foreach (var s in mine)
                {
                    double x = barNames.IndexOf(s.Bar) + offset;
                    var whisker = plot.Add.Line(x, Math.Log10(s.JoulesPerSample * low), x, Math.Log10(s.JoulesPerSample * high));
                    whisker.Color = palette.GetColor(components.IndexOf(shown[k])).WithAlpha(0.6);
                    whisker.LineWidth = 2;
                    whisker.MarkerSize = 0;
                    logsOfBands.Add(Math.Log10(s.JoulesPerSample * low));
                    logsOfBands.Add(Math.Log10(s.JoulesPerSample * high));
                }
        }
        if (logsOfBands.Count > 0)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "vertical line: the band over its parameters' bands (report.md)", LineColor = Colors.Gray, LineWidth = 2 });
        var totals = barNames.Select(b => segments.Where(s => s.Bar == b).Sum(s => s.JoulesPerSample)).ToList();
        var dashes = plot.Add.ScatterPoints(Enumerable.Range(0, barNames.Count).Select(i => (double)i).ToArray(),
            totals.Select(t => t > 0 ? Math.Log10(t) : double.NaN).ToArray(), Colors.Black);
        dashes.MarkerShape = MarkerShape.HorizontalBar;
        dashes.MarkerSize = 22;
        dashes.MarkerLineWidth = 2;
        dashes.LegendText = $"bar total (all bars: {Units.Energy(total)} per sample)";

        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Units.Energy(Math.Pow(10, y)),
        };
        string Label(string bar) => bar == Periphery ? Periphery : $"{bar} (chip {segments.First(s => s.Bar == bar).Chip})";
        int every = barNames.Count <= 24 ? 1 : Math.Max(1, barNames.Count / 12);
        var ticks = barNames.Select((b, i) => new Tick(i, i % every == 0 || b == Periphery ? Label(b) : "")).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperLeft;
        plot.Axes.Bottom.MinimumSize = 150; // room for the rotated labels
        var logs = segments.Where(s => s.JoulesPerSample > 0).Select(s => Math.Log10(s.JoulesPerSample)).ToList();
        double bottom = logsOfBands.Count > 0 ? Math.Min(logs.Min(), logsOfBands.Min()) : logs.Min();
        double top = Math.Max(Math.Log10(totals.Max()), logsOfBands.Count > 0 ? logsOfBands.Max() : double.NegativeInfinity);
        plot.Axes.SetLimits(-0.7, barNames.Count - 0.3, Math.Floor(bottom) - 0.1, Math.Ceiling(top) + 0.1);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>The band of a plotted component as factors of its value (low, high), from the energy line of that component.</summary>
    private static (double Low, double High)? Band(IReadOnlyList<EnergyLine>? lines, string component)
    {
        string key = component switch { "TIAs" => "tia", "tile links" => "interconnect", _ => component.Replace(' ', '_') };
        var line = lines?.FirstOrDefault(l => l.Component == key);
        return line is { JoulesPerSample: > 0 } ? (line.LowJoulesPerSample / line.JoulesPerSample, line.HighJoulesPerSample / line.JoulesPerSample) : null;
    }

    /// <summary>A share as a reader needs it: 63.6 %, 0.4 %, and 0.004 % rather than a misleading 0.0 %.</summary>
    public static string Share(double fraction) =>
        fraction >= 0.001 ? $"{100 * fraction:F1} %" : fraction > 0 ? $"{(100 * fraction).ToString("G1", System.Globalization.CultureInfo.InvariantCulture)} %" : "0 %";
}
