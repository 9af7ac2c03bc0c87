using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Cli.Tests;

/// <summary>The numbers behind the plots: what a reader adds up must be what the title says.</summary>
public class PlotTests
{
    [Theory]
    [InlineData(64, 16)] // the paper's network on one chip
    [InlineData(8, 2)]   // cut into 8 × 8 tiles over several chips: links, converters and crossings
    public void Tile_energy_bars_add_up_to_the_energy_per_sample_in_the_title(int tile, int tilesPerChip)
    {
        var net = OnnxImporter.FromBytes(File.ReadAllBytes(Models.Shipped("ring.onnx")), "ring.onnx");
        var preset = HardwareProfile.Resolve("rram-180nm");
        var profile = preset with { Mapping = preset.Mapping with { TileRows = tile, TileCols = tile, TilesPerChip = tilesPerChip } };
        var result = ReferenceSimulator.Run(net, profile, new AnalogRunOptions { Seed = 3 }, 40, []);
        var segments = TileEnergyPlot.Segments(result);
        Assert.Equal(result.EnergyPerSampleJoules, segments.Sum(s => s.JoulesPerSample), 1e-3 * result.EnergyPerSampleJoules);
        Assert.Equal(result.Tiles.Count + 1, segments.Select(s => s.Bar).Distinct().Count());
        if (tile == 8) Assert.Contains(segments, s => s.Component == "tile links" && s.JoulesPerSample > 0);
        var png = TileEnergyPlot.Render("energy per sample", result);
        Assert.True(png.Length > 5000);
    }
}

public class ScatterPlotTests
{
    [Theory]
    [InlineData(2, 8_000)]  // every second row was kept: one class of two
    [InlineData(3, 10_000)] // every third: one class of three
    [InlineData(16, 64_000)]
    public void Thinning_a_reference_whose_rows_cycle_through_classes_keeps_every_class(int classes, int points)
    {
        // A CSV written class after class, row by row: keeping every k-th row kept one class when k divided the cycle.
        var x = Enumerable.Range(0, points).Select(i => (double)(i % classes)).ToArray();
        var (kept, _) = ScatterPlot.Thin(x, x, null, 0);
        Assert.Equal(ScatterPlot.MaxPointsPerLayer, kept.Length);
        for (int c = 0; c < classes; c++)
            Assert.InRange(kept.Count(v => v == c) / (double)kept.Length, 0.8 / classes, 1.2 / classes);
    }

    [Theory]
    [InlineData(3_000)]   // fewer than a layer holds: every point of the class
    [InlineData(100_000)] // more: the ones ranking first by the hash
    public void Thinning_keeps_the_points_ranking_first_by_the_hash_in_index_order(int points)
    {
        var x = Enumerable.Range(0, points).Select(i => (double)i).ToArray();
        var labels = Enumerable.Range(0, points).Select(i => i * 7 % 3).ToArray();
        var expected = Enumerable.Range(0, points).Where(i => labels[i] == 1).OrderBy(i => (uint)i * 2654435761u)
            .Take(ScatterPlot.MaxPointsPerLayer).Order().Select(i => (double)i).ToArray();
        Assert.Equal(expected, ScatterPlot.Thin(x, x, labels, 1).X);
    }

    [Fact]
    public void Axes_follow_the_bulk_of_the_points_not_a_few_outliers()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i / 1000.0).Append(1e6).Append(-1e6).ToArray();
        var (min, max) = ScatterPlot.RobustRange(values, []);
        Assert.InRange(min, -0.1, 0.01);
        Assert.InRange(max, 0.99, 1.1);
    }

    [Fact]
    public void A_16_dimensional_run_is_drawn_on_its_principal_components()
    {
        var rng = new Random(5);
        float[] data = Enumerable.Range(0, 500 * 16).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var png = ScatterPlot.Render("16-D", data, [], data, 16, []);
        Assert.True(png.Length > 5000);
    }
}

public class LossPlotTests
{
    [Fact]
    public void Train_writes_its_loss_curve_next_to_the_model()
    {
        string dir = CliRunner.TempDir();
        string model = Path.Combine(dir, "tiny.onnx");
        var r = CliRunner.Run("train", "--task", "ring", "--epochs", "3", "--out", model);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.True(new FileInfo(Path.Combine(dir, "tiny.loss.png")).Length > 5000);
        Assert.Contains("tiny.loss.png", r.Out);
    }
}

/// <summary>Plot defects a reviewer found: each test fails on the old picture.</summary>
public class PlotReviewTests
{
    /// <summary>Energies 2 ppm apart (a key that hardly moves energy) got an axis a few ppm wide, ticked with 7-digit labels.</summary>
    [Fact]
    public void The_pareto_energy_axis_is_never_narrower_than_its_labels_can_say()
    {
        double[] energies = [2.254321, 2.254326];
        var plot = new ScottPlot.Plot();
        plot.Add.ScatterPoints(energies, [0.5, 0.49]);
        SweepPlots.ReadableEnergyAxis(plot, energies);
        plot.GetImageBytes(1000, 700, ScottPlot.ImageFormat.Png);
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Right - limits.Left >= SweepPlots.MinimumEnergySpan * 2.254 * 0.99, $"x span {limits.Right - limits.Left}");
        var labels = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToList();
        Assert.NotEmpty(labels);
        Assert.All(labels, l => Assert.True(l.Count(char.IsDigit) <= 4, $"tick label '{l}'"));
        Assert.All(energies, e => Assert.InRange(e, limits.Left, limits.Right));
    }

    /// <summary>A tile's crossbar cells spend ~10⁻⁴ of its TIAs: on a linear axis of stacked bars they were invisible.
    /// Every component of every slot must be drawn inside the axes, which span decades.</summary>
    [Fact]
    public void Tile_energy_is_drawn_on_a_log_axis_where_every_component_is_visible()
    {
        var net = OnnxImporter.FromBytes(File.ReadAllBytes(Models.Shipped("ring.onnx")), "ring.onnx");
        var result = ReferenceSimulator.Run(net, HardwareProfile.Resolve("rram-180nm"), new AnalogRunOptions { Seed = 3 }, 40, []);
        var plot = TileEnergyPlot.Create("energy", result, out _);
        plot.GetImageBytes(1000, 700, ScottPlot.ImageFormat.Png);
        var limits = plot.Axes.GetLimits();
        var positive = TileEnergyPlot.Segments(result).Where(s => s.JoulesPerSample > 0).Select(s => Math.Log10(s.JoulesPerSample)).ToList();
        Assert.True(positive.Max() - positive.Min() > 3, "the run's components span less than three decades: a weak test");
        Assert.All(positive, y => Assert.InRange(y, limits.Bottom, limits.Top));
        Assert.Contains(plot.Axes.Left.TickGenerator.Ticks, t => t.IsMajor && t.Label.EndsWith("pJ", StringComparison.Ordinal));
        Assert.Contains(plot.Axes.Left.TickGenerator.Ticks, t => t.IsMajor && t.Label.EndsWith("nJ", StringComparison.Ordinal));
        Assert.Equal("0.0001 %", TileEnergyPlot.Share(1e-6));
    }

    /// <summary>A labelled reference (a latent model's classes) was drawn all grey: each class's reference points now have
    /// their class's colour, so the left cluster (class 0) and the right one (class 1) differ in hue.</summary>
    [Fact]
    public void A_labelled_reference_is_coloured_by_class()
    {
        var rng = new Random(3);
        int n = 2000;
        var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        var reference = labels.SelectMany(l => new[] { (float)((l == 0 ? -5 : 5) + rng.NextDouble()), (float)rng.NextDouble() }).ToArray();
        byte[] png = ScatterPlot.Render("classes", [], [], reference, 2, ["left", "right"], labels);
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        (double Hue, int Count) Tint(int x0, int x1)
        {
            var colours = new List<SkiaSharp.SKColor>();
            for (int y = 60; y < bitmap.Height - 200; y++)
                for (int x = x0; x < x1; x++)
                {
                    var c = bitmap.GetPixel(x, y);
                    if (Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 25) colours.Add(c);
                }
            if (colours.Count == 0) return (double.NaN, 0);
            colours[colours.Count / 2].ToHsl(out float hue, out _, out _);
            return (hue, colours.Count);
        }
        var left = Tint(0, bitmap.Width / 2);
        var right = Tint(bitmap.Width / 2, bitmap.Width);
        Assert.True(left.Count > 200 && right.Count > 200, $"coloured pixels: {left.Count} left, {right.Count} right (a grey reference has none)");
        Assert.True(Math.Abs(left.Hue - right.Hue) > 30, $"hues {left.Hue:F0}° and {right.Hue:F0}°: the classes look alike");
    }
}
