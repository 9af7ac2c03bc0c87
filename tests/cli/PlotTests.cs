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

    [Fact]
    public void Axes_follow_the_bulk_of_the_points_not_a_few_outliers()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i / 1000.0).Append(1e6).Append(-1e6);
        var (min, max) = ScatterPlot.RobustRange(values);
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
