using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Runs;

/// <summary>A latent run's decoded images and how good they are.</summary>
/// <param name="Decoder">As reports name it: "onnxruntime" or "analog (PROFILE, N tiles)".</param>
/// <param name="Pixels">Every sample's image in the samples' order; or, with <see cref="PixelLabels"/>, only the ones images.png shows
/// (<see cref="ImageDecoding.Shown"/>: a run scored on the cluster brings back those, not 40 000 images).</param>
public sealed record DecodedImages(float[] Pixels, VaeModel Vae, ImageQualityReport Quality, string Decoder, AnalogDecoderReport? Analog)
{
    /// <summary>The labels of <see cref="Pixels"/>' images when it holds only the shown ones; null when it holds every sample's.</summary>
    public int[]? PixelLabels { get; init; }
}

/// <summary>How generated latents become images: ONNX Runtime (digital), or crossbar tiles of <paramref name="Profile"/>.</summary>
public sealed record ImageDecoder(string Kind, HardwareProfile? Profile = null, ulong ProgramSeed = 1, ulong Seed = 1)
{
    public static readonly ImageDecoder Digital = new(DecoderKinds.Onnx);
}

/// <summary>The image side of a latent-diffusion run: decode the generated latents through the model's VAE and
/// judge the images against real held-out ones.</summary>
public static class ImageDecoding
{
    /// <summary>The decoder name of a pixel-space model's images (there is no decoder: the samples are the images).</summary>
    public const string PixelSpace = "none (pixel-space model)";

    /// <summary>The VAE file of a model trained with <c>--task latent:…</c>, or null for other models.</summary>
    public static string? VaePathOf(DiffusionMetadata metadata)
    {
        if (metadata.Task.Length == 0 || !metadata.Task.StartsWith(TaskSpec.LatentPrefix, StringComparison.Ordinal)) return null;
        if (metadata.TaskFileOutsideModelFolder is { } outside)
            throw new UserInputException($"the model's metadata names its VAE {outside}, outside the model's folder; memgrid does not follow a model file's paths out of its folder: put the VAE beside the model (and retrain or re-export it there)");
        return TaskSpec.Parse(metadata.Task).VaePath;
    }

    /// <summary>Whether the model is a latent one; refuses one whose VAE file is gone.</summary>
    public static bool IsLatent(DiffusionMetadata metadata)
    {
        if (VaePathOf(metadata) is not { } vaePath) return false;
        if (!File.Exists(vaePath))
            throw new UserInputException($"the model's VAE {vaePath} does not exist (it was trained with --task latent:{vaePath}); images cannot be decoded");
        return true;
    }

    /// <summary>The judge of a latent model's images (its VAE and real held-out images, loaded once), or null for other models.</summary>
    public static ImageJudge? JudgeOf(DiffusionMetadata metadata) =>
        IsLatent(metadata) ? ImageJudge.Load(VaePathOf(metadata)!) : PixelJudgePathOf(metadata) is { } judge ? ImageJudge.LoadForPixels(judge, metadata.ImageRange.Lo, metadata.ImageRange.Hi) : null;

    /// <summary>The VAE whose classifier judges a pixel-space model's images (memgrid.image_judge), or null.</summary>
    public static string? PixelJudgePathOf(DiffusionMetadata metadata)
    {
        if (metadata.ImageJudge.Length == 0) return null;
        if (metadata.ImageJudgeOutsideModelFolder is { } outside)
            throw new UserInputException($"the model's metadata names its image judge {outside}, outside the model's folder; memgrid does not follow a model file's paths out of its folder");
        if (!File.Exists(metadata.ImageJudge))
            throw new UserInputException($"the model's image judge {metadata.ImageJudge} (memgrid.image_judge) does not exist; put that VAE beside the model");
        return metadata.ImageJudge;
    }

    /// <summary>How many images of each class images.png shows, and of an unconditional run in all.</summary>
    public const int ShownPerClass = 12, ShownUnlabelled = 5 * ShownPerClass;

    /// <summary>The images images.png shows, with their labels: the first <see cref="ShownPerClass"/> of each label in sample order,
    /// or the first <see cref="ShownUnlabelled"/> of an unconditional run. The grid drawn from them is the grid drawn from all.</summary>
    public static (float[] Pixels, int[] Labels) Shown(ReadOnlySpan<float> pixels, int pixelCount, ReadOnlySpan<int> labels)
    {
        int count = pixels.Length / pixelCount;
        var keep = new List<int>();
        if (labels.Length == 0) keep.AddRange(Enumerable.Range(0, Math.Min(count, ShownUnlabelled)));
        else
        {
            var taken = new Dictionary<int, int>();
            for (int i = 0; i < count; i++)
            {
                int n = taken.GetValueOrDefault(labels[i]);
                if (n < ShownPerClass) { keep.Add(i); taken[labels[i]] = n + 1; }
            }
        }
        var shown = new float[keep.Count * pixelCount];
        for (int k = 0; k < keep.Count; k++) pixels.Slice(keep[k] * pixelCount, pixelCount).CopyTo(shown.AsSpan(k * pixelCount));
        var shownLabels = new int[labels.Length == 0 ? 0 : keep.Count];
        for (int k = 0; k < shownLabels.Length; k++) shownLabels[k] = labels[keep[k]];
        return (shown, shownLabels);
    }

    /// <summary>Decodes a latent run's samples and scores the images; null when <paramref name="judge"/> is (not a latent model).</summary>
    public static DecodedImages? DecodeAndScore(ImageJudge? judge, float[] samples, int[] labels, Dataset? referenceLatents, ImageDecoder? decoder = null)
    {
        if (judge is null) return null;
        decoder ??= ImageDecoder.Digital;
        var vae = judge.Vae;
        if (judge.PixelRange is var (lo, hi))
        {
            // A pixel-space model: its samples are the images, mapped from [lo, hi] onto the classifier's [0, 1].
            if (samples.Length % vae.PixelCount != 0) throw new UserInputException($"{judge.VaePath}: judges {vae.ImageWidth} × {vae.ImageHeight} images, the model generates another size");
            var pixels = samples.Select(v => (float)Math.Clamp((v - lo) / (hi - lo), 0, 1)).ToArray();
            var judged = judge.Score(pixels, labels, samples, referenceLatents ?? new Dataset(vae.PixelCount, [], null, []));
            return new DecodedImages(pixels, vae, judged, PixelSpace, null);
        }
        if (samples.Length % vae.LatentDim != 0 || (referenceLatents is not null && referenceLatents.Dim != vae.LatentDim))
            throw new UserInputException($"{judge.VaePath}: its latent has {vae.LatentDim} dimensions, the model generates another size");
        int count = samples.Length / vae.LatentDim;
        float[] images;
        AnalogDecoderReport? analog = null;
        if (decoder.Kind == DecoderKinds.Analog)
            (images, analog) = new AnalogDecoder(vae, decoder.Profile!, decoder.ProgramSeed, decoder.Seed).Decode(samples, count);
        else if (decoder.Kind == DecoderKinds.Engine)
            images = judge.Decode(samples);
        else
            using (var ort = new OnnxRuntimeDecoder(judge.VaePath, vae)) images = ort.Decode(samples, count);
        var quality = judge.Score(images, labels, samples, referenceLatents ?? LatentTask.FromVae(vae));
        string name = analog is not null ? $"analog ({decoder.Profile!.Name}, {analog.Tiles} tiles)" : decoder.Kind == DecoderKinds.Engine ? "engine" : "onnxruntime";
        return new DecodedImages(images, vae, quality, name, analog);
    }
}
