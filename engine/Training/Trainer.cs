using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Training;

/// <summary>Progress of a training run, reported once per epoch.</summary>
public readonly record struct TrainingProgress(int Epoch, int Epochs, double MeanLoss);

/// <summary>
/// Denoising score matching on a VP-SDE with the paper's hardware-aware recipe: truncated
/// multiplicative weight noise on every forward pass, the saturation penalty, Adam (L2 weight decay as
/// in PyTorch's Adam), global gradient-norm clipping, EMA of the weights, label dropout for
/// classifier-free guidance. Every random draw is keyed by (seed, purpose, step), so a run is a pure
/// function of its data and options: the batch is split into two fixed halves whose gradients are
/// summed in a fixed order, so the thread count does not change the result either.
/// </summary>
public sealed class Trainer(TrainingOptions options)
{
    public TrainingOptions Options { get; } = options;

    public sealed record Result(ScoreNetwork Network, double FinalLoss, int Steps, TimeSpan Wall);

    public Result Train(Dataset data, DiffusionMetadata metadataTemplate, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var o = Options;
        o.Validate();
        if (data.Count == 0) throw new UserInputException("the training set is empty");
        var started = System.Diagnostics.Stopwatch.StartNew();
        ulong seed = o.Seed;
        int d = data.Dim, classes = data.ClassNames.Count;
        int k = o.HiddenWidth / 2;

        var freqRng = Streams.Rng(seed, StreamPurpose.TimeFrequencies);
        var frequencies = new double[k];
        for (int i = 0; i < k; i++) frequencies[i] = (float)(o.TimeFrequencyScale * freqRng.Gaussian((ulong)i));

        var net = new TrainableScoreNetwork(d, o.HiddenWidth, o.HiddenLayers, classes, frequencies, o.Saturation, o.OutputGain);
        var sde = new VpSde(o.BetaMin, o.BetaMax);
        var objective = new DenoisingScoreMatching(net, o.SaturationPenalty, o.SaturationThreshold);
        var chip = o.Profile is { } profile ? new ChipDraw(profile, net) : null;

        int pc = net.ParameterCount;
        double[] p = net.InitialParameters(Streams.Rng(seed, StreamPurpose.WeightInit));
        double[] ema = (double[])p.Clone();
        double[] m = new double[pc], v = new double[pc];
        double[] noisy = new double[pc], factor = new double[pc];
        double[] grad = new double[pc], grad2 = new double[pc];
        var scratch = new[] { objective.CreateScratch(), objective.CreateScratch() };
        var labelPass = new DenoisingScoreMatching.LabelPass(net);
        int batchSize = Math.Min(o.BatchSize, data.Count);
        var batch = new DsmBatch(batchSize, d);
        int[] order = new int[data.Count];
        const double beta1 = 0.9, beta2 = 0.999, adamEps = 1e-8;
        int step = 0;
        double lastLoss = double.NaN;

        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            Shuffle(order, Streams.Rng(seed, StreamPurpose.Shuffle, (ulong)epoch));
            double epochLoss = 0;
            int batches = 0;
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int count = Math.Min(batchSize, data.Count - start);
                FillBatch(batch, data, order, start, count, sde, o.MinTime, seed, (ulong)step, classes, o.LabelDropout);

                DrawWeightNoise(factor, Streams.Rng(seed, StreamPurpose.WeightNoise, (ulong)step), o.NoiseStd, o.NoiseLimit);
                ChipSignals? signals = null;
                if (chip is not null)
                {
                    // One chip per step; the paper's multiplicative noise, if asked for as well, acts on its effective weights.
                    chip.Program(p, ChipDraw.ChipSeed(seed, (ulong)step), noisy);
                    for (int i = 0; i < pc; i++) noisy[i] *= factor[i];
                    signals = new ChipSignals(chip, Streams.Rng(seed, StreamPurpose.TrainingReadNoise, (ulong)step));
                }
                else
                    for (int i = 0; i < pc; i++) noisy[i] = p[i] * factor[i];

                double[]? table = classes > 0 ? labelPass.Forward(noisy) : null;
                Array.Clear(grad);
                Array.Clear(grad2);
                int half = count / 2;
                double loss0 = 0, loss1 = 0;
                Parallel.Invoke(
                    () => loss0 = objective.Accumulate(noisy, table, batch, 0, half, grad, scratch[0], signals),
                    () => loss1 = objective.Accumulate(noisy, table, batch, half, count, grad2, scratch[1], signals));
                for (int i = 0; i < pc; i++) grad[i] += grad2[i];
                if (classes > 0)
                {
                    var tableGrad = scratch[0].LabelTableGradient;
                    for (int i = 0; i < tableGrad.Length; i++) tableGrad[i] += scratch[1].LabelTableGradient[i];
                    objective.FinishLabelGradient(noisy, labelPass, tableGrad, grad);
                }
                double loss = loss0 + loss1;
                if (!double.IsFinite(loss))
                    throw UserInputException.ForSetting("learning_rate", $"may be too high: training diverged at epoch {epoch + 1} (loss is {loss}); lower it or check the data scale");

                // Chain rule through w̃ = w·(1 + ε); straight through a chip's programming error.
                for (int i = 0; i < pc; i++) grad[i] *= factor[i];
                ClipGlobalNorm(grad, o.GradientClipNorm);

                step++;
                double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
                for (int i = 0; i < pc; i++)
                {
                    double g = grad[i] + o.WeightDecay * p[i];
                    m[i] = beta1 * m[i] + (1 - beta1) * g;
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                    p[i] -= o.LearningRate * (m[i] / bc1) / (Math.Sqrt(v[i] / bc2) + adamEps);
                }
                if (o.WeightClip is { } clip) ClipLayers(net, p, clip);
                for (int i = 0; i < pc; i++) ema[i] = o.EmaDecay * ema[i] + (1 - o.EmaDecay) * p[i];
                epochLoss += loss;
                batches++;
            }
            lastLoss = epochLoss / batches;
            progress?.Report(new TrainingProgress(epoch + 1, o.Epochs, lastLoss));
        }

        var provenance = new Dictionary<string, string>(metadataTemplate.Provenance)
        {
            ["train.seed"] = o.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["train.epochs"] = o.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["train.batch_size"] = o.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["train.lr"] = DiffusionMetadata.Format(o.LearningRate),
            ["train.weight_decay"] = DiffusionMetadata.Format(o.WeightDecay),
            ["train.noise_std"] = DiffusionMetadata.Format(o.NoiseStd),
            ["train.noise_limit"] = DiffusionMetadata.Format(o.NoiseLimit),
            ["train.saturation_penalty"] = DiffusionMetadata.Format(o.SaturationPenalty),
            ["train.ema_decay"] = DiffusionMetadata.Format(o.EmaDecay),
            ["train.final_loss"] = DiffusionMetadata.Format(lastLoss),
        };
        if (o.WeightClip is { } clipped) provenance["train.weight_clip"] = DiffusionMetadata.Format(clipped);
        if (o.Profile is { } trainedFor)
        {
            provenance["train.for_profile"] = trainedFor.Name;
            provenance["train.for_device"] = trainedFor.Device.Name;
            provenance["train.for_profile_sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(trainedFor.ToJson())));
        }
        var metadata = metadataTemplate with
        {
            SdeKind = "vp",
            BetaMin = o.BetaMin,
            BetaMax = o.BetaMax,
            SamplingScheduleScale = o.SamplingScheduleScale,
            ClassNames = data.ClassNames,
            Provenance = provenance,
        };
        return new Result(net.ToScoreNetwork(ema, metadata), lastLoss, step, started.Elapsed);
    }

    private static void FillBatch(DsmBatch batch, Dataset data, int[] order, int start, int count, VpSde sde, double tMin,
        ulong seed, ulong step, int classes, double labelDropout)
    {
        int d = data.Dim;
        var timeRng = Streams.Rng(seed, StreamPurpose.TrainingTimes, step);
        var noiseRng = Streams.Rng(seed, StreamPurpose.TrainingNoise, step);
        var dropRng = Streams.Rng(seed, StreamPurpose.LabelDropout, step);
        batch.Count = count;
        noiseRng.FillGaussian(batch.Z.AsSpan(0, count * d));
        for (int n = 0; n < count; n++)
        {
            int row = order[start + n];
            double t = tMin + (1 - tMin) * timeRng.Uniform((ulong)n);
            double mean = sde.MarginalMean(t), std = sde.MarginalStd(t);
            batch.T[n] = t;
            batch.Sigma[n] = std;
            for (int j = 0; j < d; j++)
                batch.Xt[n * d + j] = mean * data.X[row * d + j] + std * batch.Z[n * d + j];
            if (classes > 0)
                batch.Labels[n] = dropRng.Uniform((ulong)n) <= labelDropout ? classes : data.Labels![row];
        }
    }

    /// <summary>The paper's truncated multiplicative noise: factor 1 + ε, ε ~ N(0, σ²), |ε| ≥ limit redrawn uniformly in [−limit, limit].</summary>
    public static void DrawWeightNoise(Span<double> factor, CounterRng rng, double std, double limit)
    {
        if (std == 0) { factor.Fill(1.0); return; }
        rng.FillGaussian(factor);
        for (int i = 0; i < factor.Length; i++)
        {
            double eps = std * factor[i];
            if (Math.Abs(eps) >= limit)
                eps = limit * (2.0 * rng.Uniform((1UL << 40) + (ulong)i) - 1.0);
            factor[i] = 1.0 + eps;
        }
    }

    /// <summary>Clips each dense layer's weights and biases (one crossbar mapping each) to ±k standard deviations of their values.</summary>
    internal static void ClipLayers(TrainableScoreNetwork net, double[] p, double k)
    {
        foreach (var (fin, fout, w, _) in net.LayerSlots)
        {
            // W [out × in] and then b [out] are contiguous: one span per layer.
            var values = p.AsSpan(w, fin * fout + fout);
            double mean = 0, squares = 0;
            foreach (var v in values) mean += v;
            mean /= values.Length;
            foreach (var v in values) squares += (v - mean) * (v - mean);
            double bound = k * Math.Sqrt(squares / values.Length);
            for (int i = 0; i < values.Length; i++) values[i] = Math.Clamp(values[i], -bound, bound);
        }
    }

    private static void ClipGlobalNorm(Span<double> grad, double maxNorm)
    {
        double sq = 0;
        foreach (var g in grad) sq += g * g;
        double norm = Math.Sqrt(sq);
        if (norm <= maxNorm) return;
        double scale = maxNorm / (norm + 1e-6);
        for (int i = 0; i < grad.Length; i++) grad[i] *= scale;
    }

    /// <summary>Fisher–Yates over 0…n−1, every swap drawn from <paramref name="rng"/> by its position.</summary>
    internal static void Shuffle(int[] order, CounterRng rng)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt((ulong)i) % (uint)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
