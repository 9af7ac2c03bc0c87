using MemristorGrid.Engine.Images;
using MemristorGrid.Engine.Learning;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Latent;

/// <summary>
/// Settings of <c>memgrid train-vae</c>. Only the prior (radius 4, scale 8, latent 2) is the authors';
/// widths, epochs and learning rates are our assumptions, chosen for these image sizes.
/// </summary>
public sealed record VaeOptions
{
    public int Latent { get; init; } = 2;

    /// <summary>The widest latent accepted (a 10⁸-wide one once overflowed into an internal error).</summary>
    public const int MaxLatent = 1024;
    public IReadOnlyList<int> Hidden { get; init; } = [128];
    public int Epochs { get; init; } = 200;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>β of the KL term (1 = the plain ELBO).</summary>
    public double KlWeight { get; init; } = 1.0;
    public double PriorRadius { get; init; } = LatentPrior.PaperRadius;
    public double LatentScale { get; init; } = LatentPrior.PaperScale;

    /// <summary>Hidden width of the metrics classifier (its features are what the Fréchet distance compares).</summary>
    public int ClassifierHidden { get; init; } = 64;
    public int ClassifierEpochs { get; init; } = 60;
    public ulong Seed { get; init; } = 1;

    public LatentPrior PriorFor(int classes) => new(Latent, classes, PriorRadius, LatentScale);

    public void Validate(int classes)
    {
        static void Require(bool ok, string setting, string problem) => UserInputException.Require(ok, setting, problem);
        Require(Hidden.Count >= 1 && Hidden.All(h => h >= 1), "hidden", $"must list at least one positive width (got {string.Join(",", Hidden)})");
        Require(Epochs >= 1, "epochs", $"must be at least 1 (got {Epochs})");
        Require(Latent is >= 1 and <= MaxLatent, "latent", $"must be 1 … {MaxLatent} (got {Latent}): a latent as large as the image compresses nothing, and the score network's width grows with it");
        Require(BatchSize >= 2, "batch_size", $"must be at least 2 (got {BatchSize})");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", $"must be positive (got {LearningRate})");
        Require(KlWeight >= 0 && double.IsFinite(KlWeight), "kl_weight", $"must be ≥ 0 (got {KlWeight})");
        Require(ClassifierHidden >= 1, "classifier_hidden", $"must be at least 1 (got {ClassifierHidden})");
        Require(ClassifierEpochs >= 1, "classifier_epochs", $"must be at least 1 (got {ClassifierEpochs})");
        PriorFor(classes).Validate();
    }
}

/// <summary>Progress of a VAE or classifier training run, once per epoch.</summary>
public readonly record struct VaeProgress(string Stage, int Epoch, int Epochs, double Loss);

/// <summary>
/// Trains the VAE (Adam on the negative ELBO) and then the metrics classifier on the same real
/// images. Every draw is keyed by (seed, purpose, step); each batch is split into two fixed halves
/// whose gradients are summed in a fixed order, so the result does not depend on the thread count.
/// </summary>
public static class VaeTrainer
{
    /// <param name="heldOut">Real images kept out of training: the classifier's accuracy on them is recorded.</param>
    /// <param name="data">The data set's name as <see cref="ImageSources.Load"/> takes it (so the images can be found again).</param>
    /// <param name="dataClasses">The data set's class indices the model's labels 0…K−1 stand for.</param>
    public static VaeModel Train(ImageSet train, ImageSet heldOut, VaeOptions o, string data, IReadOnlyList<int> dataClasses,
        IProgress<VaeProgress>? progress = null, CancellationToken cancel = default)
    {
        int classes = train.ClassNames.Count;
        o.Validate(classes);
        if (train.Count < 2) throw new UserInputException($"{train.Source}: {train.Count} training images (need at least 2)");
        var prior = o.PriorFor(classes);
        double[] means = prior.Means();
        int px = train.PixelCount, l = o.Latent;
        var encoder = new DenseStack([px, .. o.Hidden, 2 * l]);
        var decoder = new DenseStack([l, .. o.Hidden.Reverse(), px]);
        float[] pe = Array.ConvertAll(encoder.InitialParameters(Streams.Rng(o.Seed, StreamPurpose.WeightInit, 1)), v => (float)v);
        float[] pd = Array.ConvertAll(decoder.InitialParameters(Streams.Rng(o.Seed, StreamPurpose.WeightInit, 2)), v => (float)v);
        var adamE = new Adam<float>(pe.Length, o.LearningRate);
        var adamD = new Adam<float>(pd.Length, o.LearningRate);
        int batch = Math.Min(o.BatchSize, train.Count);
        int halfCap = (batch + 1) / 2;
        var objectives = new[] { new VaeObjective<float>(encoder, decoder, halfCap), new VaeObjective<float>(encoder, decoder, halfCap) };
        var gE = new[] { new float[pe.Length], new float[pe.Length] };
        var gD = new[] { new float[pd.Length], new float[pd.Length] };
        var images = new[] { new float[halfCap * px], new float[halfCap * px] };
        var labels = new[] { new int[halfCap], new int[halfCap] };
        var eps = new[] { new float[halfCap * l], new float[halfCap * l] };
        int[] order = new int[train.Count];
        double loss = double.NaN, reconstruction = double.NaN, kl = double.NaN;
        ulong step = 0;

        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            Training.Trainer.Shuffle(order, Streams.Rng(o.Seed, StreamPurpose.Shuffle, 1, (ulong)epoch));
            double epochLoss = 0, epochRec = 0, epochKl = 0;
            int batches = 0;
            for (int start = 0; start + batch <= train.Count; start += batch)   // the last partial batch is dropped
            {
                int count = Math.Min(batch, train.Count - start);
                int[] split = [count / 2, count - count / 2];
                var noise = Streams.Rng(o.Seed, StreamPurpose.TrainingNoise, 1, step);
                double[] parts = new double[2], rec = new double[2], klPart = new double[2];
                for (int h = 0; h < 2; h++)
                {
                    int offset = start + (h == 0 ? 0 : split[0]);
                    for (int n = 0; n < split[h]; n++)
                    {
                        int row = order[offset + n];
                        train.Image(row).CopyTo(images[h].AsSpan(n * px, px));
                        labels[h][n] = train.Labels[row];
                        for (int j = 0; j < l; j++)
                            eps[h][n * l + j] = (float)noise.Gaussian((ulong)((offset - start + n) * l + j));
                    }
                    Array.Clear(gE[h]);
                    Array.Clear(gD[h]);
                }
                Parallel.For(0, 2, h =>
                {
                    parts[h] = objectives[h].Accumulate(pe, pd, images[h].AsSpan(0, split[h] * px), labels[h].AsSpan(0, split[h]),
                        eps[h].AsSpan(0, split[h] * l), means, o.KlWeight, count, gE[h], gD[h]);
                    rec[h] = objectives[h].ReconstructionLoss;
                    klPart[h] = objectives[h].KlLoss;
                });
                double batchLoss = parts[0] + parts[1];
                if (!double.IsFinite(batchLoss))
                    throw UserInputException.ForSetting("learning_rate", $"may be too high: VAE training diverged at epoch {epoch + 1} (loss is {batchLoss})");
                for (int i = 0; i < pe.Length; i++) gE[0][i] += gE[1][i];
                for (int i = 0; i < pd.Length; i++) gD[0][i] += gD[1][i];
                adamE.Step(pe, gE[0]);
                adamD.Step(pd, gD[0]);
                step++;
                epochLoss += batchLoss;
                epochRec += rec[0] + rec[1];
                epochKl += klPart[0] + klPart[1];
                batches++;
            }
            loss = epochLoss / batches;
            reconstruction = epochRec / batches;
            kl = epochKl / batches;
            progress?.Report(new VaeProgress("vae", epoch + 1, o.Epochs, loss));
        }

        var classifier = ImageClassifierTrainer.Train(train, o.ClassifierHidden, o.ClassifierEpochs, o.Seed, progress, cancel);
        var provenance = new Dictionary<string, string>
        {
            ["train.seed"] = o.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["train.epochs"] = o.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["train.batch_size"] = o.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["train.lr"] = Networks.DiffusionMetadata.Format(o.LearningRate),
            ["train.kl_weight"] = Networks.DiffusionMetadata.Format(o.KlWeight),
            ["train.final_loss"] = Networks.DiffusionMetadata.Format(loss),
            ["train.final_reconstruction"] = Networks.DiffusionMetadata.Format(reconstruction),
            ["train.final_kl"] = Networks.DiffusionMetadata.Format(kl),
            ["train.images"] = train.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        classifier = new ImageClassifier(classifier.Stack, classifier.Parameters, classifier.Accuracy(heldOut));
        return new VaeModel(encoder, pe, decoder, pd, prior, train.Width, train.Height, train.ClassNames, data, dataClasses, classifier, provenance);
    }
}
