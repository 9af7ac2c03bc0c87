using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Grains.Wire;

namespace MemristorGrid.Grains.Tiles;

/// <summary>A chip periphery's calls to its tile grains (<see cref="TileFanOut"/>): the rows go as the periphery's buffer, the
/// samples' global indices as bytes made once per step, the answer is read where it arrived (the tile's pooled buffers).</summary>
/// <param name="tiles">The grain of each tile, by plan index (null for another chip's).</param>
/// <param name="samples">The samples' global indices (int64 [count]), or empty when they are consecutive from the first.</param>
internal readonly struct GrainTileCaller(ICrossbarTileGrain?[] tiles, ReadOnlyMemory<byte> samples, bool traced) : ITileCaller
{
    public ValueTask<TileAnswer> EvaluateAsync(int tile, ReadOnlyMemory<byte> inputs, int count, ReadContext read)
    {
        var grain = tiles[tile] ?? throw new InvalidOperationException($"tile {tile} has no grain here");
        return Answer(grain.EvaluateAsync(new TileRequest(inputs, count, read.Seed, read.FirstSample, read.Interval, read.Pass, traced, samples)));
    }

    private static async ValueTask<TileAnswer> Answer(Task<ChipResponse> call)
    {
        var r = await call;
        return new TileAnswer(new TileEvaluation(r.CellPowerWatts, r.InputOverflows, r.SaturatedOutputs, r.AdcOverflows), r.Outputs, r.TilePower);
    }

    public void Release(in TileAnswer answer)
    {
        ResponseBuffers.Return(answer.Outputs);
        ResponseBuffers.Return(answer.Power);
    }
}
