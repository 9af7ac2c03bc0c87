namespace MemristorGrid.Engine.Graphs;

/// <summary>
/// Where a node of a general score network runs on the analog machine (docs/bring-your-own-model.md):
/// the one rule that splits a U-Net between crossbar tiles, the controller and a digital unit.
/// </summary>
public enum GraphUnit
{
    /// <summary>Depends only on t and/or the label: the controller computes it per update and holds it on DACs.</summary>
    Controller,
    /// <summary>A matrix product with trained weights (Gemm, MatMul, Conv as its unrolled Cin·k·k × Cout matrix): crossbar tiles.</summary>
    Tiles,
    /// <summary>Analog periphery on the signal: activation circuits, current summing (residual Add, bias), gains, and
    /// products with a controller-held value (as the integrator's coefficient channels).</summary>
    Periphery,
    /// <summary>What no modelled circuit does (normalisation, softmax, products of two signals): a digital unit with
    /// an ADC before and a DAC after.</summary>
    Digital,
    /// <summary>Reshapes, transposes, concatenation, splitting and nearest up-sampling: wires, no computation.</summary>
    Wiring,
}

/// <summary>
/// One operation of a <see cref="ScoreGraph"/>. Every runtime tensor is batch-major, [N, per-sample
/// shape…]; trained weights and other constants live in the node. Nodes read and write buffers of a
/// <see cref="GraphRun"/> and allocate nothing per call.
/// </summary>
public abstract class GraphNode(string name, string opType, int[] inputs, int[] outputs)
{
    /// <summary>The ONNX node's name (or a made-up one), for messages and the partition table.</summary>
    public string Name { get; } = name;
    public string OpType { get; } = opType;
    /// <summary>Runtime value ids read (constants are not values).</summary>
    public int[] Inputs { get; } = inputs;
    public int[] Outputs { get; } = outputs;
    public GraphUnit Unit { get; internal set; } = GraphUnit.Periphery;

    /// <summary>Multiply-accumulates per sample (tiles and digital products) or elementwise operations (the rest).</summary>
    public virtual long OperationsPerSample(ScoreGraph graph) => graph.Values[Outputs[0]].Size;

    public abstract void Run(GraphRun run);
}

/// <summary>A runtime value: its per-sample shape (without the batch axis) and what it depends on.</summary>
public sealed record GraphValue(int Id, string Name, int[] Shape, bool DependsOnX)
{
    public int Size { get; } = Shape.Aggregate(1, (a, b) => checked(a * b));
    public string ShapeText => $"[{string.Join(" × ", Shape)}]";
}

/// <summary>The buffers of one forward pass over a batch of N samples; reused across calls of the same N.</summary>
public sealed class GraphRun
{
    private readonly ScoreGraph _graph;
    private readonly float[][] _buffers;

    public GraphRun(ScoreGraph graph, int batch)
    {
        _graph = graph;
        Batch = batch;
        _buffers = graph.Values.Select(v => new float[checked(batch * v.Size)]).ToArray();
        Labels = new long[batch];
    }

    public int Batch { get; }
    /// <summary>Labels of the batch (the graph's label input), for OneHot and Gather on the label.</summary>
    public long[] Labels { get; }
    public Span<float> Buffer(int value) => _buffers[value];

    private float[] _scratch = [];
    /// <summary>A working buffer for one node at a time (a Conv's im2col); grows once to the largest request.</summary>
    public Span<float> Scratch(int size)
    {
        if (_scratch.Length < size) _scratch = new float[size];
        return _scratch.AsSpan(0, size);
    }
    public float[] Array(int value) => _buffers[value];
    public GraphValue Value(int id) => _graph.Values[id];
}
