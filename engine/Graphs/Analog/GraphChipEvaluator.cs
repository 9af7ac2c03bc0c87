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
        var inputs = w.Vectors(count * k);
        if (node is ConvNode conv)
        {
            var value = machine.Graph.Values[node.Inputs[0]];
            int inSize = value.Size, channels = value.Shape[0];
            for (int s = 0; s < n; s++) conv.Im2Col(activation.Slice(s * inSize, inSize), channels, inputs.Slice(s * p * k, p * k));
        }
        else activation[..(count * k)].CopyTo(inputs);
        float scale = machine.InputScale(step.Layer);
        if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Divide(inputs, scale, inputs);
        // Read noise is keyed per input vector: (global sample, vector) → one index, the same whatever the lane size.
        var virtualSamples = w.VirtualSamples(count);
        for (int s = 0; s < n; s++)
            for (int v = 0; v < p; v++) virtualSamples[s * p + v] = read.SampleAt(s) * p + v;
        var vectorRead = read with { Samples = virtualSamples };
        var vectorPower = w.Power(count);
        partial[..(count * m)].Clear();
        double cellPower = 0;
        int inputOverflows = 0, saturated = 0, adcOverflows = 0;
        for (int j = 0; j < step.Tiles.Length; j++)
        {
            var tp = machine.Plan.Tiles[step.Tiles[j]];
            var tile = tiles[tp.Index] ?? throw new InvalidOperationException($"tile {tp.Id} is not programmed on chip {step.Chip}'s evaluator");
            var tileIn = w.TileInputs(count * tp.RowCount + tp.RowCount);
            var tileOut = w.TileOutputs(count * tp.ColCount);
            tp.GatherInputs(inputs, k, tileIn, count);
            var e = tile.Evaluate(tileIn, tileOut, count, vectorRead, vectorPower);
            tp.AddPartials(tileOut, partial, m, count);
            cellPower += e.CellPowerWatts;
            inputOverflows += e.InputOverflows;
            saturated += e.SaturatedOutputs;
            adcOverflows += e.AdcOverflows;
            for (int s = 0; s < n; s++)
            {
                double sum = 0;
                for (int v = 0; v < p; v++) sum += vectorPower[s * p + v];
                power[j * n + s] = sum;
            }
        }
        return new TileEvaluation(cellPower, inputOverflows, saturated, adcOverflows);
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
