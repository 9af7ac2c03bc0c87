using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        var firsts = FirstOfColumns(step);
        if (!firsts.CoversAll) partial[..(count * m)].Clear(); // columns sent from other chips stay zero in this one's sums
        power[..(step.Tiles.Length * n)].Clear();
        // A convolution's vectors go through in chunks whose unrolled inputs stay in cache, each tile's rows unrolled where it reads them
        // (unrolling a whole batch, then copying it per tile, cost more than the products): the same vectors, keys and sums in the same order.
        var conv = node as ConvNode;
        int inSize = machine.Graph.Values[node.Inputs[0]].Size;
        var padded = conv is null ? default : Padded(activation, n, inSize, w);
        int chunk = conv is not null ? Math.Min(Math.Max(ChunkValues / k, 16), count) : count;
        double cellPower = 0;
        int inputOverflows = 0, saturated = 0, adcOverflows = 0;
        for (int v0 = 0; v0 < count; v0 += chunk)
        {
            int len = Math.Min(chunk, count - v0);
            Span<float> inputs = default;
            if (conv is null)
            {
                inputs = w.Vectors(len * k);
                activation.Slice(v0 * k, len * k).CopyTo(inputs);
                if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Divide(inputs, scale, inputs);
            }
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
                if (conv is null) tp.GatherInputs(inputs, k, tileIn, len);
                else UnrollInto(conv, step.Layer, tp, padded, inSize, v0, len, p, k, scale, tileIn);
                var e = tile.Evaluate(tileIn, tileOut, len, vectorRead, vectorPower);
                if (firsts.First[j]) tp.SetPartials(tileOut, partial.Slice(v0 * m), m, len);
                else tp.AddPartials(tileOut, partial.Slice(v0 * m), m, len);
                cellPower += e.CellPowerWatts;
                inputOverflows += e.InputOverflows;
                saturated += e.SaturatedOutputs;
                adcOverflows += e.AdcOverflows;
                for (int v = 0; v < len; v++) power[j * n + (v0 + v) / p] += vectorPower[v];
            }
        }
        return new TileEvaluation(cellPower, inputOverflows, saturated, adcOverflows);
    }

    /// <summary>Per step, whether each tile is the first of its column block in the step (it writes its partial sums, the others add
    /// theirs), and whether the step's tiles cover every column of the layer.</summary>
    private (bool[] First, bool CoversAll) FirstOfColumns(GraphChipStep step) => _firsts.Value[step.Index];

    private readonly Lazy<(bool[] First, bool CoversAll)[]> _firsts = new(() => machine.Plan.Steps.Select(step =>
    {
        var seen = new HashSet<int>();
        var first = step.Tiles.Select(t => seen.Add(machine.Plan.Tiles[t].ColBlock)).ToArray();
        int columnBlocks = machine.Plan.LayerTiles[step.Layer].Select(t => machine.Plan.Tiles[t].ColBlock).Distinct().Count();
        return (first, seen.Count == columnBlocks);
    }).ToArray());

    /// <summary>One tile's rows of vectors [v0, v0 + len) of a Conv, divided by the layer's scale, with its bias row: gathered through the
    /// layer's im2col map from the samples' padded inputs (<see cref="Padded"/>), one indexed load a value.</summary>
    private void UnrollInto(ConvNode conv, int layer, Partitioning.TilePlan tp, ReadOnlySpan<float> padded, int inSize, int v0, int len, int p, int k, float scale,
        Span<float> tileIn)
    {
        int features = Math.Min(tp.RowCount, k - tp.RowStart), rows = tp.RowCount;
        var map = _maps.Value[layer] ?? throw new InvalidOperationException($"layer {layer} is not a convolution");
        ref float src = ref MemoryMarshal.GetReference(padded);
        ref float dst = ref MemoryMarshal.GetReference(tileIn);
        ref int index = ref MemoryMarshal.GetArrayDataReference(map);
        if (padded.Length < (v0 + len + p - 1) / p * (inSize + 1) || tileIn.Length < len * rows)
            throw new ArgumentException($"{conv.Name}: unrolling {len} vectors from {padded.Length} values into {tileIn.Length}");
        for (int v = 0; v < len; v++)
        {
            int s = (v0 + v) / p, pixel = (v0 + v) % p;
            ref float sample = ref Unsafe.Add(ref src, s * (inSize + 1));
            ref int taps = ref Unsafe.Add(ref index, pixel * k + tp.RowStart);
            ref float into = ref Unsafe.Add(ref dst, v * rows);
            for (int f = 0; f < features; f++) Unsafe.Add(ref into, f) = Unsafe.Add(ref sample, Unsafe.Add(ref taps, f));
        }
        var values = tileIn[..(len * rows)];
        if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Divide(values, scale, values);
        if (features < rows)
            for (int v = 0; v < len; v++) values[v * rows + features] = 1f; // the bias row (programmed as b / scale)
    }

    /// <summary>The layer's input, each sample followed by one zero (where the im2col map sends taps outside the image).</summary>
    private static ReadOnlySpan<float> Padded(ReadOnlySpan<float> activation, int n, int inSize, AnalogWorkspace w)
    {
        var padded = w.Padded(n * (inSize + 1));
        for (int s = 0; s < n; s++)
        {
            activation.Slice(s * inSize, inSize).CopyTo(padded.Slice(s * (inSize + 1)));
            padded[s * (inSize + 1) + inSize] = 0f;
        }
        return padded;
    }

    /// <summary>Per layer, a Conv's im2col as offsets into one sample's padded input [pixels × k] (the sample's size for a tap outside
    /// the image), built once from <see cref="ConvNode.Im2Col(ReadOnlySpan{float}, int, Span{float})"/> itself; null for other layers.</summary>
    private readonly Lazy<int[]?[]> _maps = new(() => machine.Plan.Layers.Select(node =>
    {
        if (node is not ConvNode conv) return null;
        var value = machine.Graph.Values[node.Inputs[0]];
        // Offsets + 1 as floats (exact below 2^24), so that a tap outside the image (0) is told from offset 0.
        var ids = Enumerable.Range(1, value.Size).Select(i => (float)i).ToArray();
        var cols = new float[conv.VectorsPerSample * conv.MatrixInputs];
        conv.Im2Col(ids, value.Shape[0], cols);
        return cols.Select(c => c == 0 ? value.Size : (int)c - 1).ToArray();
    }).ToArray());

    /// <summary>Values of unrolled inputs per chunk: 256 KB of float32, with the tiles' copy of them, within a core's L2.</summary>
    private const int ChunkValues = 64 * 1024;
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
