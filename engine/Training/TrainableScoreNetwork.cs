using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Training;

/// <summary>
/// The score network in training form: double precision, every trainable value in one flat vector
/// (so Adam, EMA, clipping and weight noise are single loops), with a hand-written reverse pass for
/// this network family. Layout: for each dense layer W [out × in] then b [out]; then, for conditional
/// models, the label MLP W1 [H × C], b1 [H], W2 [H × H], b2 [H].
/// </summary>
public sealed class TrainableScoreNetwork
{
    public TrainableScoreNetwork(int inputDim, int hiddenWidth, int hiddenLayers, int classes, double[] timeFrequencies, double? saturation, double outputGain)
    {
        if (inputDim < 1) throw new UserInputException("input dimension must be at least 1");
        UserInputException.Require(hiddenLayers >= 1, "hidden_layers", $"must be at least 1 (got {hiddenLayers})");
        if (hiddenWidth < 2 || hiddenWidth % 2 != 0)
            throw UserInputException.ForSetting("hidden_width", $"must be an even number ≥ 2 (the time embedding has sin and cos channels); got {hiddenWidth}");
        if (timeFrequencies.Length * 2 != hiddenWidth)
            throw new ArgumentException("need hidden/2 time frequencies");
        InputDim = inputDim;
        HiddenWidth = hiddenWidth;
        HiddenLayers = hiddenLayers;
        Classes = classes;
        TimeFrequencies = timeFrequencies;
        Saturation = saturation;
        OutputGain = outputGain;

        int offset = 0;
        var layers = new List<(int In, int Out, int W, int B)>();
        int fanIn = inputDim;
        for (int l = 0; l <= hiddenLayers; l++)
        {
            int fanOut = l == hiddenLayers ? inputDim : hiddenWidth;
            layers.Add((fanIn, fanOut, offset, offset + fanIn * fanOut));
            offset += fanIn * fanOut + fanOut;
            fanIn = fanOut;
        }
        LayerSlots = layers;
        if (classes > 0)
        {
            LabelW1 = offset; offset += hiddenWidth * classes;
            LabelB1 = offset; offset += hiddenWidth;
            LabelW2 = offset; offset += hiddenWidth * hiddenWidth;
            LabelB2 = offset; offset += hiddenWidth;
        }
        ParameterCount = offset;
    }

    public int InputDim { get; }
    public int HiddenWidth { get; }
    public int HiddenLayers { get; }
    public int Classes { get; }
    public double[] TimeFrequencies { get; }
    public double? Saturation { get; }
    public double OutputGain { get; }
    public int ParameterCount { get; }

    /// <summary>Per dense layer: fan-in, fan-out, offset of W, offset of b.</summary>
    public IReadOnlyList<(int In, int Out, int W, int B)> LayerSlots { get; }
    public int LabelW1 { get; } = -1;
    public int LabelB1 { get; } = -1;
    public int LabelW2 { get; } = -1;
    public int LabelB2 { get; } = -1;

    /// <summary>PyTorch's default Linear initialisation: U(−1/√fan_in, 1/√fan_in) for W and b.</summary>
    public double[] InitialParameters(Randomness.CounterRng rng)
    {
        var p = new double[ParameterCount];
        ulong counter = 0;
        void Fill(int start, int count, int fanIn)
        {
            double bound = 1.0 / Math.Sqrt(fanIn);
            for (int i = 0; i < count; i++)
                p[start + i] = bound * (2.0 * rng.Uniform(counter++) - 1.0);
        }
        foreach (var (fin, fout, w, b) in LayerSlots)
        {
            Fill(w, fin * fout, fin);
            Fill(b, fout, fin);
        }
        if (Classes > 0)
        {
            Fill(LabelW1, HiddenWidth * Classes, Classes);
            Fill(LabelB1, HiddenWidth, Classes);
            Fill(LabelW2, HiddenWidth * HiddenWidth, HiddenWidth);
            Fill(LabelB2, HiddenWidth, HiddenWidth);
        }
        return p;
    }

    /// <summary>Label embedding table [(C+1) × H] for parameters <paramref name="p"/>; row C is the null label.</summary>
    public double[] LabelTable(ReadOnlySpan<double> p)
    {
        int size = (Classes + 1) * HiddenWidth;
        var table = new double[size];
        LabelTable(p, table, new double[size], new double[size]);
        return table;
    }

    /// <summary>
    /// Writes the label table and, per row, the label MLP's pre- and post-GELU values (what its reverse
    /// pass needs) into caller-owned buffers of (C+1) × H values each.
    /// </summary>
    public void LabelTable(ReadOnlySpan<double> p, Span<double> table, Span<double> preGelu, Span<double> postGelu)
    {
        int h = HiddenWidth, c = Classes;
        for (int k = 0; k <= c; k++)
        {
            var u = preGelu.Slice(k * h, h);
            var v = postGelu.Slice(k * h, h);
            for (int j = 0; j < h; j++)
            {
                u[j] = p[LabelB1 + j] + (k < c ? p[LabelW1 + j * c + k] : 0.0);
                v[j] = SpecialFunctions.Gelu(u[j]);
            }
            for (int o = 0; o < h; o++)
            {
                double s = p[LabelB2 + o];
                for (int j = 0; j < h; j++) s += p[LabelW2 + o * h + j] * v[j];
                table[k * h + o] = s;
            }
        }
    }

    /// <summary>The inference network for parameters <paramref name="p"/> (float, label table baked in).</summary>
    public ScoreNetwork ToScoreNetwork(ReadOnlySpan<double> p, DiffusionMetadata metadata)
    {
        var layers = new List<DenseLayer>();
        foreach (var (fin, fout, w, b) in LayerSlots)
        {
            var weights = new float[fin * fout];
            var bias = new float[fout];
            for (int i = 0; i < weights.Length; i++) weights[i] = (float)p[w + i];
            for (int i = 0; i < bias.Length; i++) bias[i] = (float)p[b + i];
            layers.Add(new DenseLayer(fin, fout, weights, bias));
        }
        float[]? table = Classes > 0 ? Array.ConvertAll(LabelTable(p), v => (float)v) : null;
        return new ScoreNetwork(layers, Array.ConvertAll(TimeFrequencies, w => (float)(2 * Math.PI * w)), table,
            Saturation is { } s ? (float)s : null, (float)OutputGain, metadata);
    }
}
