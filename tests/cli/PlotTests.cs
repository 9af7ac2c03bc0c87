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
