using MemristorGrid.Engine.Accounting;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>Energy per tile as bars in plan order, coloured by chip (PNG, headless).</summary>
public static class TileEnergyPlot
{
    public static byte[] Render(string title, IReadOnlyList<TileReport> tiles, long samples)
    {
        PlotFont.Ensure();
        var plot = new Plot();
        plot.Font.Set(PlotFont.Name);
        plot.Title(title);
        plot.YLabel("energy per sample (nJ)");
        var palette = new ScottPlot.Palettes.Category10();
        var bars = tiles.Select((t, i) => new Bar
        {
            Position = i,
            Value = t.EnergyJoules / Math.Max(1, samples) * 1e9,
            FillColor = palette.GetColor(t.Chip % 10),
        }).ToList();
        plot.Add.Bars(bars);
        var ticks = tiles.Select((t, i) => new Tick(i, tiles.Count <= 24 ? t.Id : (i % Math.Max(1, tiles.Count / 12) == 0 ? t.Id : ""))).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperLeft;
        plot.Axes.Bottom.MinimumSize = 110; // room for the rotated tile ids
        plot.Axes.Margins(bottom: 0);
        foreach (int chip in tiles.Select(t => t.Chip).Distinct().Order())
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"chip {chip}", FillColor = palette.GetColor(chip % 10) });
        plot.ShowLegend();
        return plot.GetImageBytes(Math.Clamp(120 + 40 * tiles.Count, 600, 2400), 600, ImageFormat.Png);
    }
}
