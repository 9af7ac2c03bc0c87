using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Partitioning;

namespace MemristorGrid.Engine.Simulation;

/// <summary>How a chip's periphery reaches one of its tiles when every tile is served on its own (a tile grain on the
/// cluster). The tile answers <see cref="CrossbarTile.Evaluate"/> for the rows it is sent.</summary>
public interface ITileCaller
{
    /// <param name="tile">The tile's plan index.</param>
    /// <param name="inputs">float32 [count × the tile's rows]: the caller's buffer, untouched until the call returns.</param>
    ValueTask<TileAnswer> EvaluateAsync(int tile, ReadOnlyMemory<byte> inputs, int count, ReadContext read);

    /// <summary>Hands back an answer's buffers once its numbers have been read.</summary>
    void Release(in TileAnswer answer);
}

/// <summary>A tile's answer: its outputs (float32 [count × its columns]), its cell power per sample (float64 [count], W) and what the
/// reads counted.</summary>
public readonly record struct TileAnswer(TileEvaluation Evaluation, ReadOnlyMemory<byte> Outputs, ReadOnlyMemory<byte> Power);

/// <summary>
/// A chip step computed by the chip's periphery around tiles it calls (<see cref="ITileCaller"/>): each layer's tiles get
/// their gathered rows at once — they work in parallel, as a chip's tiles do — and their answers are added, in plan order,
/// into the layer's output before the activation circuits run. Exactly <see cref="ChipStepEvaluator.Evaluate"/>'s
/// arithmetic, order for order, so samples are bit-identical whether tiles are called or computed in place.
/// </summary>
public sealed class TileFanOut(DeploymentPlan plan, ChipStepEvaluator periphery)
{
    private readonly int _maxWidth = plan.LayerOutputs.Concat(plan.LayerInputs).Max();
    private readonly int _maxTiles = Enumerable.Range(0, plan.LayerCount).Max(l => plan.LayerTiles[l].Length);

    /// <summary>As <see cref="ChipStepEvaluator.Evaluate"/>, with the tiles reached through <paramref name="tiles"/>.</summary>
    public async ValueTask<TileEvaluation> EvaluateAsync<TCaller>(ChipStep step, ReadOnlyMemory<float> input, int n, ReadContext read,
        ReadOnlyMemory<float> embeddingTable, ReadOnlyMemory<int> embeddingRows, Memory<float> output, Memory<double> tilePower, TCaller tiles)
        where TCaller : ITileCaller
    {
        var pending = ArrayPool<ValueTask<TileAnswer>>.Shared.Rent(_maxTiles);
        var answers = ArrayPool<TileAnswer>.Shared.Rent(_maxTiles);
        var rows = ArrayPool<byte[]>.Shared.Rent(_maxTiles);
        bool chain = step.Completes && step.LastLayer > step.FirstLayer;
        var planeA = chain ? ArrayPool<float>.Shared.Rent(n * _maxWidth) : null;
        var planeB = chain && step.LastLayer > step.FirstLayer + 1 ? ArrayPool<float>.Shared.Rent(n * _maxWidth) : null;
        int called = 0, answered = 0;
        try
        {
            int inputOverflows = 0, saturated = 0, adc = 0, k = 0, offset = 0;
            double watts = 0;
            var layerInput = input;
            for (int l = step.FirstLayer; l <= step.LastLayer; l++)
            {
                int inWidth = plan.LayerInputs[l], outWidth = plan.LayerOutputs[l];
                var layerOutput = !step.Completes || l == step.LastLayer ? output : ((l - step.FirstLayer) % 2 == 0 ? planeA : planeB).AsMemory(0, n * outWidth);
                var layerTiles = step.Completes ? plan.LayerTiles[l] : step.Tiles;
                // Every tile of the layer at once; the rows each is sent stay the caller's until its answer is read.
                for (called = 0, answered = 0; called < layerTiles.Length; called++)
                {
                    var tp = plan.Tiles[layerTiles[called]];
                    int bytes = n * tp.RowCount * sizeof(float);
                    rows[called] = ArrayPool<byte>.Shared.Rent(bytes + Vector512<byte>.Count); // room for whole-vector row copies
                    tp.GatherInputs(layerInput.Span, inWidth, MemoryMarshal.Cast<byte, float>(rows[called].AsSpan()), n);
                    pending[called] = tiles.EvaluateAsync(tp.Index, rows[called].AsMemory(0, bytes), n, read);
                }
                for (; answered < called; answered++)
                {
                    var call = pending[answered];
                    pending[answered] = default; // awaited once, even if it throws; on the caller's context (a grain's turn)
                    answers[answered] = await call;
                }
                // A layer on one tile that spans its columns is the tile's output; otherwise partial sums are added in plan order.
                bool direct = step.Completes && layerTiles is [var only] && plan.Tiles[only].ColCount == outWidth;
                if (step.Completes && !direct) layerOutput.Span[..(n * outWidth)].Clear();
                for (int j = 0; j < called; j++)
                {
                    var tp = plan.Tiles[layerTiles[j]];
                    var answer = answers[j];
                    var y = MemoryMarshal.Cast<byte, float>(answer.Outputs.Span)[..(n * tp.ColCount)];
                    if (direct) y.CopyTo(layerOutput.Span);
                    else if (step.Completes) tp.AddPartials(y, layerOutput.Span, outWidth, n);
                    else y.CopyTo(output.Span.Slice(offset, n * tp.ColCount));
                    MemoryMarshal.Cast<byte, double>(answer.Power.Span)[..n].CopyTo(tilePower.Span.Slice(k * n, n));
                    watts += answer.Evaluation.CellPowerWatts;
                    inputOverflows += answer.Evaluation.InputOverflows;
                    saturated += answer.Evaluation.SaturatedOutputs;
                    adc += answer.Evaluation.AdcOverflows;
                    offset += n * tp.ColCount;
                    k++;
                }
                Hand(tiles, answers, rows, called);
                called = answered = 0;
                if (step.Completes)
                    periphery.Finish(l, layerOutput.Span[..(n * outWidth)], outWidth, n, embeddingTable.Span, embeddingRows.Span);
                layerInput = layerOutput;
            }
            return new TileEvaluation(watts, inputOverflows, saturated, adc);
        }
        finally
        {
            // A failed call: wait for the ones still out (their rows are read until they answer), then hand everything back.
            for (int j = answered; j < called; j++)
            {
                var call = pending[j];
                pending[j] = default;
                try { answers[j] = await call; }
                catch (Exception) { answers[j] = default; } // the first failure is the one that propagates
            }
            Hand(tiles, answers, rows, called);
            ArrayPool<ValueTask<TileAnswer>>.Shared.Return(pending);
            ArrayPool<TileAnswer>.Shared.Return(answers, clearArray: true);
            ArrayPool<byte[]>.Shared.Return(rows, clearArray: true);
            if (planeA is not null) ArrayPool<float>.Shared.Return(planeA);
            if (planeB is not null) ArrayPool<float>.Shared.Return(planeB);
        }
    }

    private static void Hand<TCaller>(TCaller tiles, TileAnswer[] answers, byte[][] rows, int count) where TCaller : ITileCaller
    {
        for (int j = 0; j < count; j++)
        {
            tiles.Release(answers[j]);
            answers[j] = default;
            if (rows[j] is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
            rows[j] = null!;
        }
    }
}

/// <summary>The in-process tile caller: each tile computed on the spot (what a tile grain does on its silo).</summary>
public sealed class DirectTileCaller(IReadOnlyList<CrossbarTile?> tiles, DeploymentPlan plan) : ITileCaller
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
