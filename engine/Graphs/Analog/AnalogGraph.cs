using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>What one analog pass of a general graph counted.</summary>
public record struct GraphPassCounts(long TileInputOverflows, long SaturatedTileOutputs, long TileAdcOverflows, long PeripheryClips,
    long DigitalConversions, long DigitalAdcOverflows, long ControllerDacOverflows, long Mvms);

/// <summary>
/// A general graph (a U-Net) on the analog machine, one pass: every product with weights through its
/// programmed crossbar tiles (<see cref="CrossbarTile"/>: DACs, conductances with their programming and
/// read noise, TIAs, ADCs at chip boundaries), every analog periphery node exact and then clamped at the
/// activation rail, every digital node behind an ADC on each input and a DAC on its output, and every
/// controller value that enters the signal through the embedding DAC. The unit of each node is the
/// one rule of <see cref="ScoreGraph"/>.
/// </summary>
public sealed class AnalogGraph
{
    private readonly ScoreGraph _graph;
    private readonly Dictionary<GraphNode, int> _layerOf = [];
    private readonly Quantizer _adc, _dac, _controllerDac;
    private readonly float _rail;

    /// <param name="ranges">The values' ranges on probe trajectories, for gain staging (<see cref="SignalRanges"/>); probed from the
    /// model's own schedule when not given.</param>
    public AnalogGraph(ScoreGraph graph, HardwareProfile profile, ulong programSeed, SignalRanges? ranges = null)
    {
        _graph = graph;
        Plan = GraphPlan.Create(graph, profile.Mapping);
        for (int l = 0; l < Plan.Layers.Count; l++) _layerOf[Plan.Layers[l]] = l;
        _adc = Converters.Adc(profile);
        _dac = Converters.TileDac(profile);
        _controllerDac = Converters.EmbeddingDac(profile);
        _rail = Converters.Rail(profile.Activation.SaturationVolts, profile);
        Ranges = ranges ?? SignalRanges.Probe(graph, graph.Metadata.SamplingScheduleScale, 1.0, 1e-4);
        // Gain staging: each matrix sees its inputs divided by σ (so they fit the DACs and its outputs the TIAs and ADCs), with its
        // bias programmed as b/σ; its outputs are multiplied back by σ. Every other value is carried at its own scale.
        float tiaRange = Math.Min(Converters.Rail(profile.Tia.SaturationVolts, profile), _adc.FullScale);
        _inputScale = Plan.Layers.Select(n => Math.Max(SignalRanges.Scale(Ranges.Peaks[n.Inputs[0]], _dac.FullScale),
            SignalRanges.Scale(Ranges.Peaks[n.Outputs[0]], tiaRange))).ToArray();
        _layers = Plan.DenseLayers.Select((l, i) => new Networks.DenseLayer(l.Inputs, l.Outputs, l.Weights, l.Bias.Select(b => b / _inputScale[i]).ToArray())).ToArray();
        _digital = graph.Nodes.Where(n => n.Unit == GraphUnit.Digital).ToDictionary(n => n, n =>
        {
            int[] inputs = n.Inputs.Distinct().ToArray();
            return (inputs, inputs.Select(v => At(_adc, v)).ToArray(), At(_dac, n.Outputs[0]));
        });
        _profile = profile;
        _chipSeed = Streams.Mix(programSeed);
        _allTiles = new Lazy<CrossbarTile[]>(() =>
        {
            var tiles = new CrossbarTile[Plan.Tiles.Count];
            Parallel.For(0, tiles.Length, i => tiles[i] = Program(i));
            return tiles;
        });
        // Values computed by the controller (or t itself) that a node on the signal reads: held on DACs.
        _held = graph.Nodes.Where(n => n.Unit != GraphUnit.Controller).SelectMany(n => n.Inputs)
            .Where(v => !graph.Values[v].DependsOnX).Distinct().Order().ToArray();
    }

    private readonly int[] _held;

    public GraphPlan Plan { get; }
    public SignalRanges Ranges { get; }
    private readonly float[] _inputScale;
    private readonly Dictionary<GraphNode, (int[] Inputs, Quantizer[] Adcs, Quantizer Dac)> _digital;

    /// <summary>A converter or rail of range <paramref name="range"/> as value <paramref name="value"/> meets it, at that value's scale.</summary>
    private Quantizer At(Quantizer q, int value) => q with { FullScale = q.FullScale * SignalRanges.Scale(Ranges.Peaks[value], q.FullScale) };
    public ScoreGraph Graph => _graph;

    private readonly Networks.DenseLayer[] _layers;
    private readonly HardwareProfile _profile;
    private readonly ulong _chipSeed;
    private readonly Lazy<CrossbarTile[]> _allTiles;

    /// <summary>The scale a layer's inputs are divided by on the way into its tiles (its bias is programmed divided by it).</summary>
    public float InputScale(int layer) => _inputScale[layer];

    /// <summary>Tile <paramref name="tile"/> programmed: a pure function of the model, profile, chip seed and tile, wherever it is programmed.</summary>
    public CrossbarTile Program(int tile)
    {
        var tp = Plan.Tiles[tile];
        var block = ConductanceMapping.Program(tp, _layers[tp.Layer], _profile, _chipSeed);
        return new CrossbarTile(tp, block, _profile);
    }

    /// <summary>Every tile, programmed once (in parallel) on first use: the reference simulator's machine.</summary>
    public CrossbarTile[] Tiles => _allTiles.Value;

    /// <summary>The evaluator of every chip's steps over <see cref="Tiles"/> (the reference simulator's).</summary>
    public GraphChipEvaluator AllChips() => new(this, Tiles);

    /// <summary>The evaluator of one chip's steps, with only that chip's tiles programmed (a chip grain's).</summary>
    public GraphChipEvaluator Chip(int chip) =>
        new(this, Plan.Tiles.Select(t => t.Chip == chip ? Program(t.Index) : null).ToArray());

    /// <summary>
    /// score = s(x, t, label) through the machine for <paramref name="run"/>.Batch samples, its tiles reached through
    /// <paramref name="tiles"/>; <paramref name="read"/> keys the read noise by global sample index; <paramref name="tilePower"/>
    /// [tiles × n] receives each tile's cell power per sample (W).
    /// </summary>
    public async ValueTask<GraphPassCounts> EvaluateAsync(GraphRun run, AnalogWorkspace w, IGraphTileTransport tiles, ReadOnlyMemory<float> x,
        ReadOnlyMemory<float> t, ReadOnlyMemory<long> labels, Memory<float> score, ReadContext read, Memory<double> tilePower, CancellationToken cancel = default)
    {
        int n = run.Batch;
        var counts = new GraphPassCounts();
        x.Span.CopyTo(run.Buffer(_graph.XValue));
        t.Span.CopyTo(run.Buffer(_graph.TValue));
        for (int i = 0; i < n; i++) run.Labels[i] = labels.Length == 0 ? _graph.NullLabel : labels.Span[i];
        tilePower.Span.Clear();
        // The controller first (its nodes depend only on t and the label), then its values that enter the signal through DACs.
        foreach (var node in _graph.Nodes)
            if (node.Unit == GraphUnit.Controller) node.Run(run);
        foreach (int value in _held) counts.ControllerDacOverflows += At(_controllerDac, value).Apply(run.Buffer(value));
        foreach (var node in _graph.Nodes)
        {
            switch (node.Unit)
            {
                case GraphUnit.Controller:
                    break;
                case GraphUnit.Tiles when node is WeightedNode weighted:
                    counts = Add(counts, await RunOnTilesAsync(weighted, run, w, tiles, read, tilePower, cancel));
                    break;
                case GraphUnit.Digital:
                    long adcOverflows = 0;
                    var (inputs, adcs, dac) = _digital[node];
                    counts.DigitalConversions += w.RunDigital(node, run, inputs, adcs, dac, ref adcOverflows);
                    counts.DigitalAdcOverflows += adcOverflows;
                    break;
                case GraphUnit.Periphery:
                    node.Run(run);
                    int output = node.Outputs[0];
                    counts.PeripheryClips += Rails.Clamp(run.Buffer(output), _rail * SignalRanges.Scale(Ranges.Peaks[output], _rail));
                    break;
                default:
                    node.Run(run);
                    break;
            }
        }
        run.Buffer(_graph.OutputValue).CopyTo(score.Span);
        return counts;
    }

    /// <summary>[rows × cols] → [cols × rows], in 8 × 8 blocks so that both sides stay in cache.</summary>
    private static void Transpose(ReadOnlySpan<float> from, int rows, int cols, Span<float> to)
    {
        const int B = 8;
        for (int r0 = 0; r0 < rows; r0 += B)
            for (int c0 = 0; c0 < cols; c0 += B)
                for (int r = r0, rEnd = Math.Min(r0 + B, rows); r < rEnd; r++)
                    for (int c = c0, cEnd = Math.Min(c0 + B, cols); c < cEnd; c++) to[c * rows + r] = from[r * cols + c];
    }

    private LocalGraphTransport? _local;

    /// <summary>One pass with every tile in this process (the reference's transport), completed at once; one caller at a time.</summary>
    public GraphPassCounts Evaluate(GraphRun run, AnalogWorkspace w, float[] x, float[] t, long[] labels, float[] score, ReadContext read, Memory<double> tilePower)
    {
        _local ??= new LocalGraphTransport(AllChips());
        return EvaluateAsync(run, w, _local, x, t, labels, score, read, tilePower).AsTask().GetAwaiter().GetResult();
    }

    private static GraphPassCounts Add(GraphPassCounts a, GraphPassCounts b) => GraphLoop.Add(a, b);

    /// <summary>One weighted node: each chip it spans adds its tiles' outputs (<see cref="GraphChipEvaluator"/>); the chips' partial sums
    /// are added here in chip order, multiplied back by the layer's scale, and laid out as the node's output.</summary>
    private async ValueTask<GraphPassCounts> RunOnTilesAsync(WeightedNode node, GraphRun run, AnalogWorkspace w, IGraphTileTransport tiles, ReadContext read,
        Memory<double> tilePower, CancellationToken cancel)
    {
        int layer = _layerOf[node];
        int n = run.Batch, p = node.VectorsPerSample, m = node.MatrixOutputs, count = n * p;
        var activation = run.Array(node.Inputs[0]).AsMemory(0, n * _graph.Values[node.Inputs[0]].Size);
        var outputs = w.LayerOutputs(count * m);
        var counts = new GraphPassCounts();
        var steps = Plan.LayerSteps[layer];
        for (int c = 0; c < steps.Length; c++)
        {
            var step = steps[c];
            var partial = w.Partials(count * m);
            var power = w.StepPower(step.Tiles.Length * n);
            var result = await tiles.EvaluateAsync(step, activation, n, read, partial, power, cancel);
            try
            {
                var sums = result.OutputsOr(partial).Slice(0, count * m);
                if (c == 0) sums.CopyTo(outputs.Span);
                else System.Numerics.Tensors.TensorPrimitives.Add(outputs.Span, sums, outputs.Span);
                var powers = result.TilePowerOr(power);
                for (int j = 0; j < step.Tiles.Length; j++) powers.Slice(j * n, n).CopyTo(tilePower.Span.Slice(step.Tiles[j] * n, n));
            }
            finally { tiles.Release(result); }
            var e = result.Evaluation;
            counts.TileInputOverflows += e.InputOverflows;
            counts.SaturatedTileOutputs += e.SaturatedOutputs;
            counts.TileAdcOverflows += e.AdcOverflows;
            counts.Mvms += (long)count * step.Tiles.Length;
        }
        float scale = _inputScale[layer];
        var sum = outputs.Span[..(count * m)];
        if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(sum, scale, sum);
        var y = run.Buffer(node.Outputs[0]);
        if (node is ConvNode)
            for (int s = 0; s < n; s++) Transpose(sum.Slice(s * p * m, p * m), p, m, y.Slice(s * m * p, m * p));
        else sum.CopyTo(y);
        return counts;
    }
}
