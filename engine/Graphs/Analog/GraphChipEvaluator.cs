using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>
/// One chip's share of a general graph's pass: for a <see cref="GraphChipStep"/> (a layer's tiles on this chip) it
/// unrolls the layer's input into its vectors (a Conv's im2col rows), divides them by the layer's gain-staging
/// scale, runs them through the chip's programmed tiles and adds the tiles' outputs, in plan order, into the
/// chip's partial sums. The reference simulator and the chip grains both call it, so their samples agree bit
/// for bit; the caller adds the chips' partials in chip order (<see cref="AnalogGraph"/>).
/// </summary>
public sealed class GraphChipEvaluator(AnalogGraph machine, IReadOnlyList<CrossbarTile?> tiles)
{
    /// <param name="activation">The layer's input value, [n × its size] (the sample-major buffer of the graph's run).</param>
    /// <param name="read">Keys the read noise by each sample's global index.</param>
    /// <param name="partial">[n·vectors × the layer's outputs]: this chip's partial sums (vector-major).</param>
    /// <param name="power">[step tiles × n]: each tile's cell power per sample, summed over the sample's vectors (W).</param>
    public TileEvaluation Evaluate(GraphChipStep step, ReadOnlySpan<float> activation, int n, in ReadContext read, Span<float> partial, Span<double> power,
        AnalogWorkspace w)
    {
        var node = machine.Plan.Layers[step.Layer];
        int p = node.VectorsPerSample, k = node.MatrixInputs, m = node.MatrixOutputs, count = n * p;
        float scale = machine.InputScale(step.Layer);
        partial[..(count * m)].Clear();
        power[..(step.Tiles.Length * n)].Clear();
        // A convolution's vectors go through in chunks whose unrolled inputs stay in cache on their way to the tiles (unrolling a
        // whole batch first, then copying it per tile, cost more than the products): the same vectors, keys and sums in the same order.
        int chunk = node is ConvNode ? Math.Min(Math.Max(ChunkValues / k, 16), count) : count;
        double cellPower = 0;
        int inputOverflows = 0, saturated = 0, adcOverflows = 0;
        for (int v0 = 0; v0 < count; v0 += chunk)
        {
            int len = Math.Min(chunk, count - v0);
            var inputs = w.Vectors(len * k);
            Unroll(node, activation, v0, len, p, k, inputs);
            if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Divide(inputs, scale, inputs);
            // Read noise is keyed per input vector: (global sample, vector) → one index, the same whatever the lane size or chunk.
            var virtualSamples = w.VirtualSamples(len);
            for (int v = 0; v < len; v++) virtualSamples[v] = read.SampleAt((v0 + v) / p) * p + (v0 + v) % p;
            var vectorRead = read with { Samples = virtualSamples };
            var vectorPower = w.Power(len);
            for (int j = 0; j < step.Tiles.Length; j++)
            {
                var tp = machine.Plan.Tiles[step.Tiles[j]];
                var tile = tiles[tp.Index] ?? throw new InvalidOperationException($"tile {tp.Id} is not programmed on chip {step.Chip}'s evaluator");
                var tileIn = w.TileInputs(len * tp.RowCount + tp.RowCount);
                var tileOut = w.TileOutputs(len * tp.ColCount);
                tp.GatherInputs(inputs, k, tileIn, len);
                var e = tile.Evaluate(tileIn, tileOut, len, vectorRead, vectorPower);
                tp.AddPartials(tileOut, partial.Slice(v0 * m), m, len);
                cellPower += e.CellPowerWatts;
                inputOverflows += e.InputOverflows;
                saturated += e.SaturatedOutputs;
                adcOverflows += e.AdcOverflows;
                for (int v = 0; v < len; v++) power[j * n + (v0 + v) / p] += vectorPower[v];
            }
        }
        return new TileEvaluation(cellPower, inputOverflows, saturated, adcOverflows);
    }

    /// <summary>Values of unrolled inputs per chunk: 256 KB of float32, with the tiles' copy of them, within a core's L2.</summary>
    private const int ChunkValues = 64 * 1024;

    /// <summary>Vectors [v0, v0 + len) of the layer's input: a Conv's im2col rows (sample by sample), else the input's own rows.</summary>
    private void Unroll(WeightedNode node, ReadOnlySpan<float> activation, int v0, int len, int p, int k, Span<float> into)
    {
        if (node is not ConvNode conv)
        {
            activation.Slice(v0 * k, len * k).CopyTo(into);
            return;
        }
        var value = machine.Graph.Values[node.Inputs[0]];
        int inSize = value.Size, channels = value.Shape[0];
        for (int v = v0; v < v0 + len;)
        {
            int s = v / p, pixel = v % p, run = Math.Min(p - pixel, v0 + len - v);
            conv.Im2Col(activation.Slice(s * inSize, inSize), channels, into.Slice((v - v0) * k, run * k), pixel, run);
            v += run;
        }
    }
}

/// <summary>How an analog pass reaches a general graph's tiles: one call per <see cref="GraphChipStep"/>. The reference
/// computes it in this process; the grain cluster sends it to the chip's grain. Both return what
/// <see cref="GraphChipEvaluator.Evaluate"/> returns for the same step, input and context.</summary>
public interface IGraphTileTransport
{
    /// <param name="activation">The layer's input, [count × its size].</param>
    /// <param name="partial">Where the callee may write the chip's partial sums [count·vectors × outputs].</param>
    /// <param name="power">Where the callee may write each of the step's tiles' cell power per sample [step tiles × count] (W).</param>
    /// <returns>The reads' counts, and where the partial sums and powers are (in the caller's buffers, or in the transport's until
    /// <see cref="Release"/>).</returns>
    ValueTask<ChipStepResult> EvaluateAsync(GraphChipStep step, ReadOnlyMemory<float> activation, int count, ReadContext read,
        Memory<float> partial, Memory<double> power, CancellationToken cancel);

    void Release(in ChipStepResult result);
}

/// <summary>The reference transport: every tile programmed in this process, each step computed directly.</summary>
public sealed class LocalGraphTransport(GraphChipEvaluator chips) : IGraphTileTransport
{
    private readonly AnalogWorkspace _workspace = new();

    public ValueTask<ChipStepResult> EvaluateAsync(GraphChipStep step, ReadOnlyMemory<float> activation, int count, ReadContext read,
        Memory<float> partial, Memory<double> power, CancellationToken cancel) =>
        new(new ChipStepResult(chips.Evaluate(step, activation.Span, count, read, partial.Span, power.Span, _workspace), InPlace: true));

    public void Release(in ChipStepResult result) { }
}
