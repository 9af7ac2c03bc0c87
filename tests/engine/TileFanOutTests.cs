using System.Runtime.InteropServices;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Partitioning;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using Xunit;

namespace MemristorGrid.Engine.Tests;

/// <summary>A chip's periphery around tiles it calls one by one (what the grain cluster does: every tile a grain) computes
/// exactly what the chip evaluator computes in place: same outputs, tile powers and counts, bit for bit.</summary>
public class TileFanOutTests
{
    public static TheoryData<string, string, int, int, int, bool> Layouts => new()
    {
        { "ring.onnx", "rram-180nm", 0, 0, 0, false },        // three layers chained on one chip, one tile each
        { "ring.onnx", "rram-180nm", 8, 8, 2, true },         // layers cut into 8 × 8 tiles over chips of two: partial sums, spanning steps
        { "fashion.onnx", "rram-180nm", 0, 0, 0, true },      // the preset's 64 × 64 tiles: many tiles a layer
        { "hku.onnx", "ideal", 8, 8, 1, false },           // one tile a chip: every layer spans chips
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Tiles_called_one_by_one_give_the_chip_evaluators_bits(string model, string profileName, int rows, int cols, int tilesPerChip, bool sparseSamples)
    {
        var net = OnnxImporter.Load(TestNetworks.ModelPath(model));
        var profile = HardwareProfile.Resolve(profileName);
        if (rows > 0) profile = profile with { Mapping = profile.Mapping with { TileRows = rows, TileCols = cols, TilesPerChip = tilesPerChip } };
        var plan = DeploymentPlan.Create(net, profile.Mapping);
        var tiles = ReferenceSimulator.Program(plan, net, profile, 5);
        var chips = new ChipStepEvaluator(net, plan, profile, tiles);
        var fanOut = new TileFanOut(plan, new ChipStepEvaluator(net, plan, profile, []));
        var caller = new DirectTileCaller(tiles, plan);
        var steps = ChipStep.Schedule(plan);
        if (rows > 0) Assert.Contains(steps, s => !s.Completes); // the layout really spans chips
        const int n = 37;
        var random = new Random(11);
        int h = net.HiddenWidth;
        var table = Enumerable.Range(0, 3 * h).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var embeddingRows = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        long[]? samples = sparseSamples ? Enumerable.Range(0, n).Select(i => 1000L + 3 * i).ToArray() : null;
        var read = new ReadContext(7, 1000, 4, 2, samples);
        foreach (var step in steps)
        {
            var input = Enumerable.Range(0, n * step.InputWidth).Select(_ => 2f * (float)random.NextDouble() - 1f).ToArray();
            var expected = new float[n * step.OutputWidth];
            var expectedPower = new double[n * step.Tiles.Length];
            var e = chips.Evaluate(step, input, n, read, table, embeddingRows, expected, expectedPower);
            var actual = new float[n * step.OutputWidth];
            var actualPower = new double[n * step.Tiles.Length];
            var a = await fanOut.EvaluateAsync(step, input, n, read, table, embeddingRows, actual, actualPower, caller);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedPower, actualPower);
            Assert.Equal(e, a);
            Assert.Contains(expected, v => v != 0f);
            if (step.Completes) continue;
            // Kept where they arrived instead of copied: each tile's answer is its slice of the step's output.
            var kept = new ReadOnlyMemory<byte>[step.Tiles.Length];
            var keptPower = new double[n * step.Tiles.Length];
            var k2 = await fanOut.EvaluateAsync(step, input, n, read, table, embeddingRows, new float[n * step.OutputWidth], keptPower, caller, kept);
            Assert.Equal(e, k2);
            Assert.Equal(expectedPower, keptPower);
            int offset = 0;
            for (int k = 0; k < kept.Length; k++)
            {
                int length = n * plan.Tiles[step.Tiles[k]].ColCount;
                Assert.Equal(expected.AsSpan(offset, length).ToArray(), MemoryMarshal.Cast<byte, float>(kept[k].Span)[..length].ToArray());
                offset += length;
            }
        }
    }

    /// <summary>A tile that fails fails the step, after every call in flight has answered (their rows are theirs until then), and no
    /// later tile of the layer is called.</summary>
    [Fact]
    public async Task A_failing_tile_fails_the_step()
    {
        var net = OnnxImporter.Load(TestNetworks.ModelPath("fashion.onnx"));
        var profile = HardwareProfile.Resolve("ideal");
        var plan = DeploymentPlan.Create(net, profile.Mapping);
        var tiles = ReferenceSimulator.Program(plan, net, profile, 5);
        var fanOut = new TileFanOut(plan, new ChipStepEvaluator(net, plan, profile, []), concurrentCalls: 2);
        var step = ChipStep.Schedule(plan)[0];
        var layerTiles = step.Completes ? plan.LayerTiles[step.FirstLayer] : step.Tiles;
        int broken = layerTiles[1];
        var caller = new Failing(new DirectTileCaller(tiles, plan), broken);
        var input = new float[4 * step.InputWidth];
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await fanOut.EvaluateAsync(step, input, 4, new ReadContext(1, 0, 0, 0), new float[net.HiddenWidth], new int[4], new float[4 * step.OutputWidth], new double[4 * step.Tiles.Length], caller));
        Assert.Contains($"tile {broken}", error.Message);
        Assert.True(layerTiles.Length > 3, $"{layerTiles.Length} tiles in the step's first layer");
        Assert.Equal(3, caller.Calls); // tiles 0 and 1 sent at once, tile 2 once tile 0 was read, then tile 1 failed
        Assert.Equal(caller.Calls, caller.Finished);
    }

    private sealed class Failing(DirectTileCaller inner, int broken) : ITileCaller
    {
        public int Calls, Finished;

        public async ValueTask<TileAnswer> EvaluateAsync(int tile, ReadOnlyMemory<byte> inputs, int count, ReadContext read)
        {
            Calls++;
            try
            {
                await Task.Delay(20);
                return tile == broken ? throw new InvalidOperationException($"tile {tile} is gone") : await inner.EvaluateAsync(tile, inputs, count, read);
            }
            finally { Interlocked.Increment(ref Finished); }
        }

        public void Release(in TileAnswer answer) { }
    }
}

/// <summary>A tile caller that computes each tile on the spot (what a tile grain does on its silo).</summary>
internal sealed class DirectTileCaller(IReadOnlyList<CrossbarTile?> tiles, DeploymentPlan plan) : ITileCaller
{
    public ValueTask<TileAnswer> EvaluateAsync(int tile, ReadOnlyMemory<byte> inputs, int count, ReadContext read)
    {
        var tp = plan.Tiles[tile];
        var programmed = tiles[tile] ?? throw new InvalidOperationException($"tile {tp.Id} is not programmed here");
        var x = MemoryMarshal.Cast<byte, float>(inputs.Span).ToArray(); // the tile may clip its inputs in place
        var y = new byte[count * tp.ColCount * sizeof(float)];
        var power = new byte[count * sizeof(double)];
        var e = programmed.Evaluate(x, MemoryMarshal.Cast<byte, float>(y.AsSpan()), count, read, MemoryMarshal.Cast<byte, double>(power.AsSpan()));
        return new(new TileAnswer(e, y, power));
    }

    public void Release(in TileAnswer answer) { }
}
