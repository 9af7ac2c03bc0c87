namespace MemristorGrid.Engine.Graphs;

/// <summary>
/// Pure data movement, per sample: every output element copies one element of one input. Reshape,
/// Squeeze, Unsqueeze, Flatten, Transpose, Concat, each output of a Split and nearest-neighbour Resize
/// are all such maps, computed once at import. On the machine these are wires.
/// </summary>
public sealed class IndexMapNode : GraphNode
{
    private readonly int[] _source, _offset, _inputSizes;
    private readonly int _size;

    /// <param name="source">for each output element, which of <paramref name="inputs"/> it reads</param>
    /// <param name="offset">for each output element, the element of that input's sample it reads</param>
    public IndexMapNode(string name, string opType, int[] inputs, int[] inputSizes, int output, int[] source, int[] offset)
        : base(name, opType, inputs, [output])
    {
        (_source, _offset, _inputSizes, _size) = (source, offset, inputSizes, offset.Length);
        // A run may not cross from one input to the next: the source index is folded into the offset map's runs.
        _runs = new ElementRuns(offset.Select((o, e) => o + source[e] * (1 << 24)).ToArray());
    }

    private readonly ElementRuns _runs;

    /// <summary>The identity map of a reshape (same elements, same order).</summary>
    public static IndexMapNode Copy(string name, string opType, int input, int output, int size) =>
        new(name, opType, [input], [size], output, new int[size], Enumerable.Range(0, size).ToArray());

    public override long OperationsPerSample(ScoreGraph graph) => 0;

    public override void Run(GraphRun run)
    {
        var y = run.Buffer(Outputs[0]);
        for (int n = 0; n < run.Batch; n++)
        {
            var row = y.Slice(n * _size, _size);
            if (_runs.Worthwhile)
                foreach (var r in _runs.Runs)
                {
                    int s = _source[r.Start];
                    var from = run.Array(Inputs[s]).AsSpan(n * _inputSizes[s] + _offset[r.Start]);
                    if (r.Steps[0]) from[..r.Length].CopyTo(row.Slice(r.Start, r.Length));
                    else row.Slice(r.Start, r.Length).Fill(from[0]);
                }
            else
                for (int e = 0; e < row.Length; e++)
                {
                    int s = _source[e];
                    row[e] = run.Array(Inputs[s])[n * _inputSizes[s] + _offset[e]];
                }
        }
    }

    /// <summary>Row-major offsets of a shape's elements, visited in the order of <paramref name="perm"/> applied to it.</summary>
    public static int[] TransposeOffsets(int[] inShape, int[] perm)
    {
        int rank = inShape.Length;
        var outShape = perm.Select(p => inShape[p]).ToArray();
        var inStrides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; s *= inShape[i], i--) inStrides[i] = s;
        int size = inShape.Aggregate(1, (a, b) => a * b);
        var offsets = new int[size];
        var index = new int[rank];
        for (int e = 0; e < size; e++)
        {
            int off = 0;
            for (int i = 0; i < rank; i++) off += index[i] * inStrides[perm[i]];
            offsets[e] = off;
            for (int i = rank - 1; i >= 0 && ++index[i] == outShape[i]; i--) index[i] = 0;
        }
        return offsets;
    }
}

/// <summary>Average pooling over windows of [C, H, W] (the output element's window offsets computed at import).</summary>
public sealed class AveragePoolNode(string name, int input, int output, int inSize, int[][] windows, int[] divisors) : GraphNode(name, "AveragePool", [input], [output])
{
    public override void Run(GraphRun run)
    {
        ReadOnlySpan<float> x = run.Buffer(Inputs[0]);
        var y = run.Buffer(Outputs[0]);
        for (int n = 0; n < run.Batch; n++)
            for (int e = 0; e < windows.Length; e++)
            {
                float sum = 0;
                foreach (int off in windows[e]) sum += x[n * inSize + off];
                y[n * windows.Length + e] = sum / divisors[e];
            }
    }
}
