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
/// A chip step computed by the chip's periphery around tiles it calls (<see cref="ITileCaller"/>): a layer's tiles are called
/// concurrently — as a chip's tiles work in parallel — at most <c>concurrentCalls</c> at a time, each one's rows gathered just
/// before its call, and their answers are added, in plan order, into the layer's output before the activation circuits run.
/// Exactly <see cref="ChipStepEvaluator.Evaluate"/>'s arithmetic, order for order, so samples are bit-identical whether tiles
/// are called or computed in place.
/// </summary>
/// <param name="concurrentCalls">Tile calls one step keeps in flight: enough to use the cores, few enough that the rows sent
/// stay in cache (all of a 16-tile layer's rows at once evicted each other: measured on fashion).</param>
public sealed class TileFanOut(DeploymentPlan plan, ChipStepEvaluator periphery, int concurrentCalls)
{
    private readonly int _maxWidth = plan.LayerOutputs.Concat(plan.LayerInputs).Max();
    private readonly int _window = Math.Max(1, concurrentCalls);

    public TileFanOut(DeploymentPlan plan, ChipStepEvaluator periphery) : this(plan, periphery, Environment.ProcessorCount) { }

    /// <summary>As <see cref="ChipStepEvaluator.Evaluate"/>, with the tiles reached through <paramref name="tiles"/>.</summary>
    /// <param name="keptOutputs">For a step that does not complete its layer, optional, [the step's tiles]: each tile's outputs are
    /// kept here where they arrived (not copied into <paramref name="output"/>), for the caller to read the partial sums from and
    /// then hand back with <see cref="ITileCaller.Release"/>. If the step fails, the outputs kept so far are handed back here.</param>
    public async ValueTask<TileEvaluation> EvaluateAsync<TCaller>(ChipStep step, ReadOnlyMemory<float> input, int n, ReadContext read,
        ReadOnlyMemory<float> embeddingTable, ReadOnlyMemory<int> embeddingRows, Memory<float> output, Memory<double> tilePower, TCaller tiles,
        Memory<ReadOnlyMemory<byte>> keptOutputs = default)
        where TCaller : ITileCaller
    {
        bool keep = !step.Completes && keptOutputs.Length >= step.Tiles.Length, succeeded = false;
        // A ring of the calls in flight: call j sits in slot j % window.
        var pending = ArrayPool<ValueTask<TileAnswer>>.Shared.Rent(_window);
        var rows = ArrayPool<byte[]?>.Shared.Rent(_window);
        bool chain = step.Completes && step.LastLayer > step.FirstLayer;
        var planeA = chain ? ArrayPool<float>.Shared.Rent(n * _maxWidth) : null;
        var planeB = chain && step.LastLayer > step.FirstLayer + 1 ? ArrayPool<float>.Shared.Rent(n * _maxWidth) : null;
        int issued = 0, consumed = 0;
        try
        {
            var total = new TileEvaluation(0, 0, 0);
            int k = 0, offset = 0;
            var layerInput = input;
            for (int l = step.FirstLayer; l <= step.LastLayer; l++)
            {
                int inWidth = plan.LayerInputs[l], outWidth = plan.LayerOutputs[l];
                var layerOutput = !step.Completes || l == step.LastLayer ? output : ((l - step.FirstLayer) % 2 == 0 ? planeA : planeB).AsMemory(0, n * outWidth);
                var layerTiles = periphery.TilesOf(step, l);
                // A layer on one tile that spans its columns is the tile's output; otherwise partial sums are added in plan order.
                bool direct = periphery.IsOneTile(step, l);
                if (step.Completes && !direct) layerOutput.Span[..(n * outWidth)].Clear();
                for (issued = 0, consumed = 0; issued < Math.Min(_window, layerTiles.Length); issued++)
                    Issue(layerTiles[issued], issued % _window);
                for (; consumed < layerTiles.Length; consumed++)
                {
                    var tp = plan.Tiles[layerTiles[consumed]];
                    int slot = consumed % _window;
                    var call = pending[slot];
                    pending[slot] = default; // awaited once, even if it throws; on the caller's context (a grain's turn)
                    var answer = await call;
                    try
                    {
                        var y = MemoryMarshal.Cast<byte, float>(answer.Outputs.Span)[..(n * tp.ColCount)];
                        if (direct) y.CopyTo(layerOutput.Span);
                        else if (step.Completes) tp.AddPartials(y, layerOutput.Span, outWidth, n);
                        else if (!keep) y.CopyTo(output.Span.Slice(offset, n * tp.ColCount));
                        MemoryMarshal.Cast<byte, double>(answer.Power.Span)[..n].CopyTo(tilePower.Span.Slice(k * n, n));
                    }
                    finally
                    {
                        if (keep) keptOutputs.Span[k] = answer.Outputs; // the caller's now: the rows and the powers go back
                        Hand(tiles, keep ? answer with { Outputs = default } : answer, rows, slot);
                    }
                    total += answer.Evaluation;
                    offset += n * tp.ColCount;
                    k++;
                    if (issued < layerTiles.Length)
                    {
                        Issue(layerTiles[issued], issued % _window);
                        issued++;
                    }
                }
                issued = consumed = 0;
                if (step.Completes)
                    periphery.Finish(l, layerOutput.Span[..(n * outWidth)], outWidth, n, embeddingTable.Span, embeddingRows.Span);
                layerInput = layerOutput;

                void Issue(int tile, int slot)
                {
                    var tp = plan.Tiles[tile];
                    int bytes = n * tp.RowCount * sizeof(float);
                    var buffer = rows[slot] = ArrayPool<byte>.Shared.Rent(bytes + Vector512<byte>.Count); // room for whole-vector row copies
                    tp.GatherInputs(layerInput.Span, inWidth, MemoryMarshal.Cast<byte, float>(buffer.AsSpan()), n);
                    pending[slot] = tiles.EvaluateAsync(tp.Index, buffer.AsMemory(0, bytes), n, read);
                }
            }
            succeeded = true;
            return total;
        }
        finally
        {
            if (keep && !succeeded)
            {
                foreach (var outputs in keptOutputs.Span[..step.Tiles.Length]) tiles.Release(new TileAnswer(default, outputs, default));
                keptOutputs.Span[..step.Tiles.Length].Clear();
            }
            // A failed call: wait for the ones still out (their rows are read until they answer), then hand everything back.
            for (int j = consumed; j < issued; j++)
            {
                int slot = j % _window;
                var call = pending[slot];
                pending[slot] = default;
                TileAnswer answer = default;
                try { answer = await call; }
                catch (Exception) { } // the first failure is the one that propagates
                Hand(tiles, answer, rows, slot);
            }
            ArrayPool<ValueTask<TileAnswer>>.Shared.Return(pending);
            ArrayPool<byte[]?>.Shared.Return(rows, clearArray: true);
            if (planeA is not null) ArrayPool<float>.Shared.Return(planeA);
            if (planeB is not null) ArrayPool<float>.Shared.Return(planeB);
        }
    }

    private static void Hand<TCaller>(TCaller tiles, in TileAnswer answer, byte[]?[] rows, int slot) where TCaller : ITileCaller
    {
        tiles.Release(answer);
        if (rows[slot] is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        rows[slot] = null;
    }
}
