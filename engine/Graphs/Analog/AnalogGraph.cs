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
        var layers = Plan.DenseLayers.Select((l, i) => new Networks.DenseLayer(l.Inputs, l.Outputs, l.Weights, l.Bias.Select(b => b / _inputScale[i]).ToArray())).ToArray();
        _digital = graph.Nodes.Where(n => n.Unit == GraphUnit.Digital).ToDictionary(n => n, n =>
        {
            int[] inputs = n.Inputs.Distinct().ToArray();
            return (inputs, inputs.Select(v => At(_adc, v)).ToArray(), At(_dac, n.Outputs[0]));
        });
        ulong chipSeed = Streams.Mix(programSeed);
        Tiles = new CrossbarTile[Plan.Tiles.Count];
        Parallel.For(0, Tiles.Length, i =>
        {
            var tp = Plan.Tiles[i];
            var block = ConductanceMapping.Program(tp, layers[tp.Layer], profile, chipSeed);
            Tiles[i] = new CrossbarTile(tp, block.GPlus, block.GMinus, block.ColumnScale, profile);
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
    public CrossbarTile[] Tiles { get; }
    public ScoreGraph Graph => _graph;

    /// <summary>
    /// score = s(x, t, label) through the machine for <paramref name="run"/>.Batch samples; <paramref name="read"/> keys the
    /// read noise by global sample index; <paramref name="tilePower"/> [tiles × n] receives each tile's cell power per sample (W).
    /// </summary>
    public GraphPassCounts Evaluate(GraphRun run, AnalogWorkspace w, ReadOnlySpan<float> x, ReadOnlySpan<float> t, ReadOnlySpan<long> labels,
        Span<float> score, in ReadContext read, Span<double> tilePower)
    {
        int n = run.Batch;
        var counts = new GraphPassCounts();
        x.CopyTo(run.Buffer(_graph.XValue));
        t.CopyTo(run.Buffer(_graph.TValue));
        for (int i = 0; i < n; i++) run.Labels[i] = labels.Length == 0 ? _graph.NullLabel : labels[i];
        tilePower.Clear();
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
                    RunOnTiles(weighted, run, w, read, tilePower, ref counts);
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
        run.Buffer(_graph.OutputValue).CopyTo(score);
        return counts;
    }

    /// <summary>One weighted node: its input vectors (a Conv's im2col rows) through every tile of its matrix, partial sums added in plan order.</summary>
    private void RunOnTiles(WeightedNode node, GraphRun run, AnalogWorkspace w, in ReadContext read, Span<double> tilePower, ref GraphPassCounts counts)
    {
        int n = run.Batch, p = node.VectorsPerSample, k = node.MatrixInputs, m = node.MatrixOutputs, count = n * p;
        var inputs = w.Vectors(count * k);
        ReadOnlySpan<float> source = run.Buffer(node.Inputs[0]);
        if (node is ConvNode conv)
        {
            int inSize = run.Value(node.Inputs[0]).Size, channels = run.Value(node.Inputs[0]).Shape[0];
            for (int s = 0; s < n; s++) conv.Im2Col(source.Slice(s * inSize, inSize), channels, inputs.Slice(s * p * k, p * k));
        }
        else source[..(count * k)].CopyTo(inputs);
        float scale = _inputScale[_layerOf[node]];
        if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Divide(inputs, scale, inputs);
        var outputs = w.Outputs(count * m);
        outputs.Clear();
        // Read noise is keyed per input vector: (global sample, vector) → one index, the same whatever the lane size.
        var virtualSamples = w.VirtualSamples(count);
        for (int s = 0; s < n; s++)
            for (int v = 0; v < p; v++) virtualSamples[s * p + v] = read.SampleAt(s) * p + v;
        var vectorRead = read with { Samples = virtualSamples };
        var power = w.Power(count);
        foreach (int t in Plan.LayerTiles[_layerOf[node]])
        {
            var tp = Plan.Tiles[t];
            var tileIn = w.TileInputs(count * tp.RowCount + tp.RowCount);
            var tileOut = w.TileOutputs(count * tp.ColCount);
            tp.GatherInputs(inputs, k, tileIn, count);
            var e = Tiles[t].Evaluate(tileIn, tileOut, count, vectorRead, power);
            tp.AddPartials(tileOut, outputs, m, count);
            counts.TileInputOverflows += e.InputOverflows;
            counts.SaturatedTileOutputs += e.SaturatedOutputs;
            counts.TileAdcOverflows += e.AdcOverflows;
            counts.Mvms += count;
            for (int s = 0; s < n; s++)
            {
                double sum = 0;
                for (int v = 0; v < p; v++) sum += power[s * p + v];
                tilePower[t * n + s] += sum;
            }
        }
        if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(outputs, scale, outputs);
        var y = run.Buffer(node.Outputs[0]);
        if (node is ConvNode)
            for (int s = 0; s < n; s++)
                for (int v = 0; v < p; v++)
                    for (int o = 0; o < m; o++) y[(s * m + o) * p + v] = outputs[(s * p + v) * m + o];
        else outputs.CopyTo(y);
    }
}
