using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Accounting;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>
/// Energy per sample as stacked bars: one bar per tile in plan order (its cells, TIAs, converters and
/// links), then one bar for everything outside the tiles (activation circuits, controller, integrators,
/// DACs, readout, the links to the integrators), so the bars add up to the run's total. Coloured by
/// component; each tile's label names its chip; the legend sits below the axes, never over a bar.
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

    public static byte[] Render(string title, AnalogRunResult result)
    {
        PlotFont.Ensure();
        var segments = Segments(result);
        double total = segments.Sum(s => s.JoulesPerSample);
        var (factor, prefix) = Units.PrefixFor(segments.GroupBy(s => s.Bar).Max(g => g.Sum(s => s.JoulesPerSample)));
        var plot = new Plot();
        plot.Font.Set(PlotFont.Name);
        plot.Title(title);
        plot.YLabel($"energy per sample ({prefix}J)");
        var palette = new ScottPlot.Palettes.Category20();
        var components = segments.Select(s => s.Component).Distinct().ToList();
        var barNames = segments.Select(s => s.Bar).Distinct().ToList();
        var bars = new List<Bar>();
        for (int i = 0; i < barNames.Count; i++)
        {
            double baseValue = 0;
            foreach (var s in segments.Where(s => s.Bar == barNames[i] && s.JoulesPerSample > 0))
            {
                double top = baseValue + s.JoulesPerSample / factor;
                bars.Add(new Bar { Position = i, ValueBase = baseValue, Value = top, FillColor = palette.GetColor(components.IndexOf(s.Component)) });
                baseValue = top;
            }
        }
        plot.Add.Bars(bars);
        string Label(string bar) => bar == Periphery ? Periphery : $"{bar} (chip {segments.First(s => s.Bar == bar).Chip})";
        int every = barNames.Count <= 24 ? 1 : Math.Max(1, barNames.Count / 12);
        var ticks = barNames.Select((b, i) => new Tick(i, i % every == 0 || b == Periphery ? Label(b) : "")).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperLeft;
        plot.Axes.Bottom.MinimumSize = 150; // room for the rotated labels
        plot.Axes.Margins(bottom: 0);
        foreach (var component in components.Where(c => segments.Any(s => s.Component == c && s.JoulesPerSample > 0)))
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = $"{component} {100 * segments.Where(s => s.Component == component).Sum(s => s.JoulesPerSample) / total:F1} %",
                FillColor = palette.GetColor(components.IndexOf(component)),
            });
        plot.ShowLegend(Edge.Bottom);
        return plot.GetImageBytes(Math.Clamp(160 + 40 * barNames.Count, 800, 2400), 700, ImageFormat.Png);
    }
}
