using MemristorGrid.Engine.Images;
using MemristorGrid.Engine.Metrics;

namespace MemristorGrid.Engine.Latent;

/// <summary>Image metrics of one class (or of all generated classes pooled).</summary>
public sealed record ClassImageQuality(string Class, int Samples, int ReferenceImages, double ClassAccuracy, double FrechetDistance, double LatentKlPaper);

/// <summary>
/// How good the decoded images are, judged by the VAE's classifier (trained on real images only):
/// the fraction of decoded images it assigns to the class they were generated for, and the Fréchet
/// distance between its hidden-layer features of decoded images and of the real held-out images
/// (an FID-like figure: FID's formula, but in the feature space of this small classifier rather than
/// Inception-v3's, so its values are comparable only between runs of the same VAE). The latent
/// kl_paper per class compares generated latents with the class's reference latents.
/// </summary>
public sealed record ImageQualityReport(ClassImageQuality Pooled, IReadOnlyList<ClassImageQuality> PerClass, int FeatureWidth)
{
    public const string FeatureSpaceDescription =
        "Fréchet distance of Gaussians fitted to the metrics classifier's hidden-layer features (FID's formula in a small classifier's feature space), generated vs real held-out images";
}

/// <summary>
/// A VAE with its real held-out images, loaded once and judging many runs: the classifier's features
/// of the real images are computed once, so a sweep's cells or the two sides of a comparison only
/// pay for their own decoded images.
/// </summary>
public sealed class ImageJudge
{
    private readonly int[] _realLabels;
    private readonly float[] _realFeatures;

    public ImageJudge(VaeModel vae, ImageSet realTest, string vaePath = "")
    {
        Vae = vae;
        VaePath = vaePath;
        _realLabels = realTest.Labels;
        (_, _realFeatures) = vae.Classifier.Evaluate(realTest.Pixels, realTest.Count);
    }

    public VaeModel Vae { get; }

    /// <summary>The decoder file the VAE was loaded from (what ONNX Runtime runs), when loaded from one.</summary>
    public string VaePath { get; }

    public static ImageJudge Load(string vaePath)
    {
        var vae = VaeModel.Load(vaePath);
        return new ImageJudge(vae, vae.LoadImages(ImageSplit.Test), vaePath);
    }

    /// <summary>For a model that generates pixels in [lo, hi] (a U-Net): the VAE's classifier and held-out images judge them.</summary>
    public static ImageJudge LoadForPixels(string vaePath, double lo, double hi)
    {
        var judge = Load(vaePath);
        judge.PixelRange = (lo, hi);
        return judge;
    }

    /// <summary>Set for a pixel-space model: the generated values that mean black and white; null for a latent model.</summary>
    public (double Lo, double Hi)? PixelRange { get; private set; }

    /// <summary>Decodes generated latents (score-model units) with the engine's decoder, then scores them as <see cref="Score"/>.</summary>
    public ImageQualityReport DecodeAndScore(float[] latents, int[] labels, Data.Dataset referenceLatents) =>
        Score(Decode(latents), labels, latents, referenceLatents);

    /// <summary>Images [count × pixels] of generated latents (score-model units) by the engine's decoder.</summary>
    public float[] Decode(float[] latents)
    {
        int count = latents.Length / Vae.LatentDim;
        var scaled = new float[latents.Length];
        float scale = (float)Vae.Prior.Scale;
        for (int i = 0; i < scaled.Length; i++) scaled[i] = latents[i] * scale;
        return Vae.Decode(scaled, count);
    }

    /// <param name="decoded">Decoded images [count × pixels].</param>
    /// <param name="labels">The class each image was generated for (empty: unconditional).</param>
    /// <param name="latents">The generated latents (score-model units), for the per-class latent kl_paper.</param>
    /// <param name="referenceLatents">The reference latents (score-model units) with labels.</param>
    public ImageQualityReport Score(float[] decoded, ReadOnlySpan<int> labels, float[] latents, Data.Dataset referenceLatents)
    {
        var vae = Vae;
        int px = vae.PixelCount, count = decoded.Length / px, f = vae.Classifier.FeatureWidth, realCount = _realLabels.Length;
        var (predicted, features) = vae.Classifier.Evaluate(decoded, count);
        int[] intended = labels.ToArray();
        var generatedClasses = intended.Distinct().Order().ToArray();
        var realLabels = _realLabels;
        var realFeatures = _realFeatures;

        ClassImageQuality Measure(string name, Func<int, bool> generatedRow, Func<int, bool> realRow, Func<int, bool> referenceRow)
        {
            var gen = Gather(features, f, count, generatedRow, out int gn);
            var real = Gather(realFeatures, f, realCount, realRow, out int rn);
            int right = 0;
            for (int i = 0; i < count; i++) if (generatedRow(i) && intended.Length > 0 && predicted[i] == intended[i]) right++;
            int d = referenceLatents.Dim;
            var genLatents = Gather(latents, d, count, generatedRow, out _);
            var refLatents = Gather(referenceLatents.X, d, referenceLatents.Count, referenceRow, out int refCount);
            double kl = refCount > 0 && gn > 0 ? SampleMetrics.PaperKl(genLatents, refLatents) : double.NaN;
            return new ClassImageQuality(name, gn, rn, intended.Length > 0 ? (double)right / gn : double.NaN,
                FrechetDistance.Compute(gen, gn, real, rn, f), kl);
        }

        var perClass = generatedClasses.Select(c => Measure(vae.ClassNames[c], i => intended[i] == c, i => realLabels[i] == c,
            i => referenceLatents.Labels is { } rl && rl[i] == c)).ToArray();
        var chosen = new HashSet<int>(generatedClasses);
        var pooled = Measure("all", _ => true, i => intended.Length == 0 || chosen.Contains(realLabels[i]),
            i => intended.Length == 0 || referenceLatents.Labels is not { } rl || chosen.Contains(rl[i]));
        return new ImageQualityReport(pooled, perClass, f);
    }

    private static float[] Gather(float[] rows, int width, int count, Func<int, bool> keep, out int kept)
    {
        kept = 0;
        for (int i = 0; i < count; i++) if (keep(i)) kept++;
        var result = new float[kept * width];
        for (int i = 0, k = 0; i < count; i++)
            if (keep(i)) rows.AsSpan(i * width, width).CopyTo(result.AsSpan(k++ * width));
        return result;
    }
}
