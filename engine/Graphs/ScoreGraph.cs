using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Graphs;

/// <summary>
/// A score network outside the paper's MLP family (a convolutional U-Net, attention, a time MLP), as a
/// list of nodes in execution order over batch-major runtime tensors. Each node carries the unit it
/// runs on (<see cref="GraphUnit"/>): the controller, crossbar tiles, analog periphery, a digital unit,
/// or wires. Read by <see cref="Import.GraphImporter"/>.
/// </summary>
public sealed class ScoreGraph : IScoreNetworkInfo
{
    internal ScoreGraph(IReadOnlyList<GraphValue> values, IReadOnlyList<GraphNode> nodes, int x, int t, int output, bool hasLabel,
        int classCount, DiffusionMetadata metadata)
    {
        (Values, Nodes, XValue, TValue, OutputValue, HasLabel, ClassCount, Metadata) = (values, nodes, x, t, output, hasLabel, classCount, metadata);
        Classify();
    }

    public IReadOnlyList<GraphValue> Values { get; }
    public IReadOnlyList<GraphNode> Nodes { get; }
    public int XValue { get; }
    public int TValue { get; }
    public int OutputValue { get; }
    public bool HasLabel { get; }
    public DiffusionMetadata Metadata { get; }
    public int InputDim => Values[XValue].Size;
    /// <summary>Values per sample of the output (= <see cref="InputDim"/> for a score network).</summary>
    public int OutputSize => Values[OutputValue].Size;
    public bool IsConditional => ClassCount > 0;
    public int ClassCount { get; }
    /// <summary>The null label: a one-hot of no class (index = classes), or a table's last row.</summary>
    public int NullLabel => ClassCount;
    public IReadOnlyList<string> ClassNames => Metadata.ClassNames;
    /// <summary>Every multiply-accumulate of one evaluation: tiles' and the digital unit's products, and the controller's.</summary>
    public double MacsPerEvaluation => Nodes.Where(n => n is WeightedNode or SignalProductNode).Sum(n => (double)n.OperationsPerSample(this));

    /// <summary>The same graph with other metadata (a schedule given on the command line).</summary>
    public ScoreGraph WithMetadata(DiffusionMetadata metadata) => new(Values, Nodes, XValue, TValue, OutputValue, HasLabel, ClassCount, metadata);

    /// <summary>score[n, :] = s(x[n, :], t[n], label[n]) for a row-major batch; <paramref name="run"/> holds the buffers for its batch size.</summary>
    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> labels, Span<float> score, GraphRun run)
    {
        int n = run.Batch;
        if (x.Length != n * InputDim || t.Length != n || score.Length != n * OutputSize) throw new ArgumentException("batch sizes disagree");
        x.CopyTo(run.Buffer(XValue));
        t.CopyTo(run.Buffer(TValue));
        for (int i = 0; i < n; i++) run.Labels[i] = labels.Length == 0 ? NullLabel : labels[i];
        foreach (var node in Nodes) node.Run(run);
        run.Buffer(OutputValue).CopyTo(score);
    }

    /// <summary>
    /// The one rule (docs/bring-your-own-model.md): what depends only on t and the label is the
    /// controller's; products with trained weights go to tiles; normalisation, softmax and products of
    /// two signals to the digital unit; activations, sums, gains and products with a held controller
    /// value are analog periphery; data movement is wiring.
    /// </summary>
    private void Classify()
    {
        var producer = new Dictionary<int, GraphNode>();
        foreach (var node in Nodes) foreach (int o in node.Outputs) producer[o] = node;
        foreach (var node in Nodes)
        {
            bool signal = node.Inputs.Any(i => Values[i].DependsOnX);
            node.Unit = !signal ? GraphUnit.Controller : node switch
            {
                WeightedNode => GraphUnit.Tiles,
                NormalizationNode or SoftmaxNode or SignalProductNode => GraphUnit.Digital,
                IndexMapNode => GraphUnit.Wiring,
                BinaryNode b when b.OpType is "Mul" or "Div" or "Pow" && b.Inputs.Length == 2 && b.Inputs.All(i => Values[i].DependsOnX)
                    => IsActivationOf(b.Inputs[0], b.Inputs[1], producer) || IsActivationOf(b.Inputs[1], b.Inputs[0], producer) ? GraphUnit.Periphery : GraphUnit.Digital,
                _ => GraphUnit.Periphery,
            };
        }
    }

    /// <summary>Whether <paramref name="value"/> is an elementwise function of <paramref name="of"/> alone (SiLU's sigmoid, GELU's erf
    /// term): then their product is one activation circuit, not a product of two signals.</summary>
    private static bool IsActivationOf(int value, int of, Dictionary<int, GraphNode> producer)
    {
        for (int depth = 0; depth < 8 && value != of; depth++)
        {
            if (!producer.TryGetValue(value, out var node) || node is not (UnaryNode or BinaryNode) || node.Inputs.Length != 1) return false;
            value = node.Inputs[0];
        }
        return value == of;
    }

    /// <summary>Per unit: nodes and operations per sample (multiply-accumulates on tiles and in digital products).</summary>
    public IReadOnlyDictionary<GraphUnit, (int Nodes, long Operations)> Partition() =>
        Enum.GetValues<GraphUnit>().ToDictionary(u => u, u => (Nodes.Count(n => n.Unit == u), Nodes.Where(n => n.Unit == u).Sum(n => n.OperationsPerSample(this))));

    /// <summary>Crossbar tiles of rows × cols each weighted node needs: its augmented matrix (inputs and a bias row × outputs)
    /// cut into tiles, one set per group, as <see cref="Analog.GraphPlan"/> places them.</summary>
    public int TilesFor(WeightedNode node, int rows, int cols)
    {
        int groups = node is ConvNode c ? c.Groups : 1;
        return groups * (int)Math.Ceiling((node.MatrixInputs + 1) / (double)rows) * (int)Math.Ceiling(node.MatrixOutputs / groups / (double)cols);
    }
}
