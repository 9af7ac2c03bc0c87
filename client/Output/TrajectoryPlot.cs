using MemristorGrid.Engine.Spice;
using ScottPlot;

namespace MemristorGrid.Client.Output;

/// <summary>The integrator trajectories of <c>memgrid spice</c>: simulator (lines) and ngspice (dots), one panel per channel.</summary>
public static class TrajectoryPlot
{
    public static byte[] Render(string title, SpiceComparison comparison)
    {
        PlotFont.Ensure();
        int channels = comparison.Runs[0].Simulated.Length;
        var multiplot = new Multiplot();
        multiplot.AddPlots(channels);
        var palette = new ScottPlot.Palettes.Category10();
        for (int d = 0; d < channels; d++)
        {
            var plot = multiplot.GetPlot(d);
            plot.Font.Set(PlotFont.Name);
            plot.Title(d == 0 ? title : "");
            plot.XLabel("time in the generation (µs)");
            plot.YLabel($"x{d} (units)");
            for (int i = 0; i < comparison.Runs.Count; i++)
            {
                var run = comparison.Runs[i];
                var color = palette.GetColor(i);
                var t = run.Times.Select(s => s * 1e6).ToArray();
                var line = plot.Add.ScatterLine(t, run.Simulated[d]);
                line.Color = color;
                line.LineWidth = 2;
                line.LegendText = $"chip {run.ProgramSeed}, sample {run.Sample}";
                int every = Math.Max(1, t.Length / 25);
                var keep = Enumerable.Range(0, t.Length).Where(k => k % every == every - 1).ToArray();
                var dots = plot.Add.ScatterPoints(keep.Select(k => t[k]).ToArray(), keep.Select(k => run.Spice[d][k]).ToArray());
                dots.MarkerSize = 6;
                dots.MarkerShape = MarkerShape.OpenCircle;
                dots.Color = color;
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "lines: simulator", LineColor = Colors.Gray, LineWidth = 2 });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "circles: ngspice", MarkerShape = MarkerShape.OpenCircle, MarkerColor = Colors.Gray, MarkerSize = 6, LineWidth = 0 });
            // Outside the data, on every panel, so the panels keep one width.
            plot.ShowLegend(Edge.Right);
        }
        using var image = multiplot.Render(1000, 420 * channels);
        return image.GetImageBytes(ImageFormat.Png);
    }
}
