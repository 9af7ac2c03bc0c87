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

    /// <param name="decoded">Decoded images [count × pixels].</param>
    /// <param name="labels">The class each image was generated for (empty: unconditional).</param>
    /// <param name="latents">The generated latents (score-model units), for the per-class latent kl_paper.</param>
    /// <param name="referenceLatents">The reference latents (score-model units) with labels.</param>
    public static ImageQualityReport Compute(VaeModel vae, ReadOnlySpan<float> decoded, ReadOnlySpan<int> labels, ImageSet realTest,
        ReadOnlySpan<float> latents, Data.Dataset referenceLatents)
    {
        int px = vae.PixelCount, count = decoded.Length / px, f = vae.Classifier.FeatureWidth;
        var (predicted, features) = vae.Classifier.Evaluate(decoded, count);
        var (_, realFeatures) = vae.Classifier.Evaluate(realTest.Pixels, realTest.Count);
        int[] intended = labels.Length > 0 ? labels.ToArray() : [];
        var generatedClasses = intended.Distinct().Order().ToArray();
        float[] generatedLatents = latents.ToArray();

        ClassImageQuality Measure(string name, Func<int, bool> generatedRow, Func<int, bool> realRow, Func<int, bool> referenceRow)
        {
            var gen = Gather(features, f, count, generatedRow, out int gn);
            var real = Gather(realFeatures, f, realTest.Count, realRow, out int rn);
            int right = 0;
            for (int i = 0; i < count; i++) if (generatedRow(i) && intended.Length > 0 && predicted[i] == intended[i]) right++;
            int d = referenceLatents.Dim;
            var genLatents = Gather(generatedLatents, d, count, generatedRow, out _);
            var refLatents = Gather(referenceLatents.X, d, referenceLatents.Count, referenceRow, out int refCount);
            double kl = refCount > 0 && gn > 0 ? SampleMetrics.PaperKl(genLatents, refLatents) : double.NaN;
            return new ClassImageQuality(name, gn, rn, intended.Length > 0 ? (double)right / gn : double.NaN,
                FrechetDistance.Compute(gen, gn, real, rn, f), kl);
        }

        var perClass = generatedClasses.Select(c => Measure(vae.ClassNames[c], i => intended[i] == c, i => realTest.Labels[i] == c,
            i => referenceLatents.Labels is { } rl && rl[i] == c)).ToArray();
        var chosen = new HashSet<int>(generatedClasses);
        var pooled = Measure("all", _ => true, i => intended.Length == 0 || chosen.Contains(realTest.Labels[i]),
            i => intended.Length == 0 || referenceLatents.Labels is not { } rl || chosen.Contains(rl[i]));
        return new ImageQualityReport(pooled, perClass, f);
    }

    private static float[] Gather(float[] rows, int width, int count, Func<int, bool> keep, out int kept)
    {
        var result = new List<float>();
        kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (!keep(i)) continue;
            result.AddRange(rows.AsSpan(i * width, width).ToArray());
            kept++;
        }
        return result.ToArray();
    }
}

/// <summary>
/// A VAE and its real held-out images, loaded once, judging many runs: decodes with the engine's own
/// decoder (no ONNX Runtime session per run) and scores like <see cref="ImageQualityReport.Compute"/>.
/// </summary>
public sealed class ImageJudge(VaeModel vae, ImageSet realTest)
{
    public VaeModel Vae { get; } = vae;

    public static ImageJudge Load(string vaePath)
    {
        var vae = VaeModel.Load(vaePath);
        return new ImageJudge(vae, vae.LoadImages(ImageSplit.Test));
    }

    /// <summary>Metrics of generated latents (score-model units) against <paramref name="referenceLatents"/>.</summary>
    public ImageQualityReport Score(float[] latents, int[] labels, Data.Dataset referenceLatents)
    {
        int count = latents.Length / Vae.LatentDim;
        var scaled = new float[latents.Length];
        float scale = (float)Vae.Prior.Scale;
        for (int i = 0; i < scaled.Length; i++) scaled[i] = latents[i] * scale;
        return ImageQualityReport.Compute(Vae, Vae.Decode(scaled, count), labels, realTest, latents, referenceLatents);
    }
}
