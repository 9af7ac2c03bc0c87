using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Training;

/// <summary>
/// The denoising-score-matching loss, the mean over the batch's B·D elements of (s(x_t, t)·σ(t) + z)²,
/// plus the activation-saturation penalty α Σ a over hidden activations a above the threshold (the
/// paper's form: the activations themselves, summed over the batch), with its hand-written gradient.
/// </summary>
public sealed class DenoisingScoreMatching(TrainableScoreNetwork net, double penaltyAlpha, double penaltyThreshold)
{
    private readonly TrainableScoreNetwork _net = net;

    /// <summary>Per-thread scratch: per-layer pre-activations and activations of one sample, and the
    /// gradient of the loss with respect to the label-embedding table.</summary>
    public sealed class Scratch
    {
        internal Scratch(TrainableScoreNetwork net)
        {
            int h = net.HiddenWidth;
            Pre = new double[net.HiddenLayers][];
            Act = new double[net.HiddenLayers][];
            for (int l = 0; l < net.HiddenLayers; l++) { Pre[l] = new double[h]; Act[l] = new double[h]; }
            Embedding = new double[h];
            Output = new double[net.InputDim];
            Delta = new double[Math.Max(h, net.InputDim)];
            DeltaPrev = new double[Math.Max(h, net.InputDim)];
            LabelTableGradient = new double[(net.Classes + 1) * h];
            Railed = new bool[net.HiddenLayers + 1][];
            for (int l = 0; l <= net.HiddenLayers; l++) Railed[l] = new bool[l == net.HiddenLayers ? net.InputDim : h];
            DacEmbedding = new float[h];
        }

        internal double[][] Pre;
        internal double[][] Act;
        internal double[] Embedding;
        internal double[] Output;
        internal double[] Delta;
        internal double[] DeltaPrev;
        internal double[] LabelTableGradient;

        /// <summary>Per layer and output: whether the tile sum was clamped at the TIA rail (no gradient flows through a rail).</summary>
        internal bool[][] Railed;
        internal float[] DacEmbedding;
    }

    public Scratch CreateScratch() => new(_net);

    /// <summary>How many tile sums of the last sample accumulated with <paramref name="s"/> were clamped at the TIA rail.</summary>
    public static int RailedOutputs(Scratch s) => s.Railed.Sum(layer => layer.Count(railed => railed));

    /// <summary>Full loss and gradient over the batch (single thread). <paramref name="gradient"/> is overwritten.</summary>
    public double LossAndGradient(ReadOnlySpan<double> p, DsmBatch batch, Span<double> gradient)
    {
        var scratch = CreateScratch();
        var label = new LabelPass(_net);
        double[]? table = _net.Classes > 0 ? label.Forward(p) : null;
        gradient.Clear();
        double loss = Accumulate(p, table, batch, 0, batch.Count, gradient, scratch);
        FinishLabelGradient(p, label, scratch.LabelTableGradient, gradient);
        return loss;
    }

    /// <summary>
    /// Adds the gradient contribution of samples [start, end) to <paramref name="gradient"/> (and to the
    /// scratch's label-table gradient); returns their share of the loss. The caller finishes the label
    /// path with <see cref="FinishLabelGradient"/> once all shares are summed. With <paramref name="chip"/> (training for a
    /// profile) the forward pass is the chip's: the embedding through the controller's DACs, every tile sum with the
    /// chip's read noise and clamped at the TIA rail, activations at their rail; the noise is a constant of the reverse pass.
    /// </summary>
    public double Accumulate(ReadOnlySpan<double> p, double[]? labelTable, DsmBatch batch, int start, int end, Span<double> gradient, Scratch s,
        ChipSignals? chip = null)
    {
        var net = _net;
        int d = net.InputDim, h = net.HiddenWidth, k = h / 2, layersHidden = net.HiddenLayers;
        var slots = net.LayerSlots;
        double invB = 1.0 / ((double)batch.Count * d);
        double gain = net.OutputGain;
        double loss = 0;
        Array.Clear(s.LabelTableGradient);

        double activationRail = net.Saturation ?? (chip is { } railed ? railed.Chip.ActivationRail : double.PositiveInfinity);
        for (int n = start; n < end; n++)
        {
            double t = batch.T[n];
            for (int j = 0; j < k; j++)
            {
                var (sin, cos) = Math.SinCos(2.0 * Math.PI * net.TimeFrequencies[j] * t);
                s.Embedding[j] = sin;
                s.Embedding[k + j] = cos;
            }
            int label = batch.Labels[n];
            if (labelTable is not null)
                for (int j = 0; j < h; j++) s.Embedding[j] += labelTable[label * h + j];
            if (chip is { } dac && !dac.Chip.EmbeddingDac.IsIdeal)
            {
                for (int j = 0; j < h; j++) s.DacEmbedding[j] = (float)s.Embedding[j];
                dac.Chip.EmbeddingDac.Apply(s.DacEmbedding);
                for (int j = 0; j < h; j++) s.Embedding[j] = s.DacEmbedding[j];
            }

            // Forward.
            ReadOnlySpan<double> input = batch.Xt.AsSpan(n * d, d);
            for (int l = 0; l < layersHidden; l++)
            {
                var (fin, fout, w, b) = slots[l];
                var pre = s.Pre[l];
                var act = s.Act[l];
                for (int o = 0; o < fout; o++)
                {
                    // Off the chip the embedding joins the bias first (the paper recipe's order, which its shipped models
                    // reproduce bit for bit); on it, the embedding DAC adds to the tile sum after the TIA.
                    double acc = chip is null ? p[b + o] + s.Embedding[o] : p[b + o];
                    var row = p.Slice(w + o * fin, fin);
                    for (int i = 0; i < fin; i++) acc += row[i] * input[i];
                    if (chip is { } c) acc = c.TileSum(acc, input, l, o, n, ref s.Railed[l][o]) + s.Embedding[o];
                    pre[o] = acc;
                    double a = acc > 0 ? acc : 0;
                    if (a > activationRail) a = activationRail;
                    act[o] = a;
                    if (a > penaltyThreshold) loss += penaltyAlpha * a;
                }
                input = act;
            }
            var (oin, oout, ow, ob) = slots[layersHidden];
            double sigma = batch.Sigma[n];
            for (int o = 0; o < oout; o++)
            {
                double acc = p[ob + o];
                var row = p.Slice(ow + o * oin, oin);
                for (int i = 0; i < oin; i++) acc += row[i] * input[i];
                if (chip is { } c) acc = c.TileSum(acc, input, layersHidden, o, n, ref s.Railed[layersHidden][o]);
                double residual = gain * acc * sigma + batch.Z[n * d + o];
                loss += invB * residual * residual;
                // ∂loss/∂(W a + b) for output o.
                s.Delta[o] = chip is not null && s.Railed[layersHidden][o] ? 0.0 : invB * 2.0 * residual * sigma * gain;
            }

            // Backward through the output layer.
            {
                var act = s.Act[layersHidden - 1];
                Array.Clear(s.DeltaPrev, 0, oin);
                for (int o = 0; o < oout; o++)
                {
                    double delta = s.Delta[o];
                    gradient[ob + o] += delta;
                    int rowStart = ow + o * oin;
                    for (int i = 0; i < oin; i++)
                    {
                        gradient[rowStart + i] += delta * act[i];
                        s.DeltaPrev[i] += delta * p[rowStart + i];
                    }
                }
            }
            // Backward through hidden layers: DeltaPrev holds ∂loss/∂a_l on entry.
            for (int l = layersHidden - 1; l >= 0; l--)
            {
                var (fin, fout, w, b) = slots[l];
                var pre = s.Pre[l];
                var act = s.Act[l];
                for (int o = 0; o < fout; o++)
                {
                    double da = s.DeltaPrev[o];
                    if (act[o] > penaltyThreshold) da += penaltyAlpha;
                    bool passes = pre[o] > 0 && pre[o] < activationRail && !(chip is not null && s.Railed[l][o]);
                    s.Delta[o] = passes ? da : 0.0;
                }
                ReadOnlySpan<double> layerInput = l == 0 ? batch.Xt.AsSpan(n * d, d) : s.Act[l - 1];
                if (l > 0) Array.Clear(s.DeltaPrev, 0, fin);
                for (int o = 0; o < fout; o++)
                {
                    double delta = s.Delta[o];
                    if (delta == 0) continue;
                    gradient[b + o] += delta;
                    if (labelTable is not null) s.LabelTableGradient[label * h + o] += delta;
                    int rowStart = w + o * fin;
                    for (int i = 0; i < fin; i++)
                    {
                        gradient[rowStart + i] += delta * layerInput[i];
                        if (l > 0) s.DeltaPrev[i] += delta * p[rowStart + i];
                    }
                }
            }
        }
        return loss;
    }

    /// <summary>The label MLP's forward values for one parameter vector, kept for its reverse pass.</summary>
    public sealed class LabelPass(TrainableScoreNetwork net)
    {
        internal readonly double[] Table = new double[(net.Classes + 1) * net.HiddenWidth];
        internal readonly double[] PreGelu = new double[(net.Classes + 1) * net.HiddenWidth];
        internal readonly double[] PostGelu = new double[(net.Classes + 1) * net.HiddenWidth];
        internal readonly double[] Dv = new double[net.HiddenWidth];

        /// <summary>Evaluates the label table for <paramref name="p"/> and returns it.</summary>
        public double[] Forward(ReadOnlySpan<double> p)
        {
            net.LabelTable(p, Table, PreGelu, PostGelu);
            return Table;
        }
    }

    /// <summary>
    /// Back-propagates ∂loss/∂(label table) through Linear → GELU → Linear into <paramref name="gradient"/>,
    /// using the forward values <paramref name="pass"/> computed for the same <paramref name="p"/>.
    /// </summary>
    public void FinishLabelGradient(ReadOnlySpan<double> p, LabelPass pass, ReadOnlySpan<double> tableGradient, Span<double> gradient)
    {
        var net = _net;
        if (net.Classes == 0) return;
        int h = net.HiddenWidth, c = net.Classes;
        var post = pass.PostGelu;
        var pre = pass.PreGelu;
        var dv = pass.Dv;
        for (int k = 0; k <= c; k++)
        {
            var dE = tableGradient.Slice(k * h, h);
            Array.Clear(dv);
            for (int o = 0; o < h; o++)
            {
                double g = dE[o];
                if (g == 0) continue;
                gradient[net.LabelB2 + o] += g;
                for (int j = 0; j < h; j++)
                {
                    gradient[net.LabelW2 + o * h + j] += g * post[k * h + j];
                    dv[j] += g * p[net.LabelW2 + o * h + j];
                }
            }
            for (int j = 0; j < h; j++)
            {
                double du = dv[j] * SpecialFunctions.GeluDerivative(pre[k * h + j]);
                gradient[net.LabelB1 + j] += du;
                if (k < c) gradient[net.LabelW1 + j * c + k] += du;
            }
        }
    }
}
