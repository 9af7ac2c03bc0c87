using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Images;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Client.Output;

/// <summary>
/// The image side of a latent-diffusion run: decode the generated latents through the model's VAE,
/// write <c>images.png</c> (one row per class), and judge the images against real held-out ones.
/// </summary>
public static class LatentImages
{
    /// <summary>The VAE file of a model trained with <c>--task latent:…</c>, or null for other models.</summary>
    public static string? VaePathOf(DiffusionMetadata metadata)
    {
        if (metadata.Task.Length == 0 || !metadata.Task.StartsWith(TaskSpec.LatentPrefix, StringComparison.Ordinal)) return null;
        return TaskSpec.Parse(metadata.Task).VaePath;
    }

    /// <summary>How generated latents become images: ONNX Runtime (digital), or crossbar tiles of <paramref name="Profile"/>.</summary>
    public sealed record Decoder(string Kind, Engine.Profiles.HardwareProfile? Profile = null, ulong ProgramSeed = 1, ulong Seed = 1)
    {
        public const string Onnx = "onnx", Analog = "analog";
        public static readonly Decoder Digital = new(Onnx);
    }

    public sealed record Decoded(ImageQualityReport Quality, string Decoder, AnalogDecoderReport? Analog);

    /// <summary>The judge of a latent model's images (its VAE and real held-out images, loaded once), or null for other models.</summary>
    public static ImageJudge? JudgeOf(DiffusionMetadata metadata)
    {
        if (VaePathOf(metadata) is not { } vaePath) return null;
        if (!File.Exists(vaePath))
            throw new Engine.UserInputException($"the model's VAE {vaePath} does not exist (it was trained with --task latent:{vaePath}); images cannot be decoded");
        return ImageJudge.Load(vaePath);
    }

    /// <summary>Decodes a latent run's samples, writes images.png and scores the images; null when <paramref name="judge"/> is (not a latent model).</summary>
    public static Decoded? DecodeAndScore(string outDir, string title, ImageJudge? judge, float[] samples, int[] labels, Dataset? referenceLatents, Decoder? decoder = null)
    {
        if (judge is null) return null;
        decoder ??= Decoder.Digital;
        var vae = judge.Vae;
        if (samples.Length % vae.LatentDim != 0 || (referenceLatents is not null && referenceLatents.Dim != vae.LatentDim))
            throw new Engine.UserInputException($"{judge.VaePath}: its latent has {vae.LatentDim} dimensions, the model generates another size");
        int count = samples.Length / vae.LatentDim;
        float[] images;
        AnalogDecoderReport? analog = null;
        if (decoder.Kind == Decoder.Analog)
            (images, analog) = new AnalogDecoder(vae, decoder.Profile!, decoder.ProgramSeed, decoder.Seed).Decode(samples, count);
        else
            using (var ort = new OnnxRuntimeDecoder(judge.VaePath, vae)) images = ort.Decode(samples, count);
        var quality = judge.Score(images, labels, samples, referenceLatents ?? LatentTask.FromVae(vae));
        string decoderName = analog is null ? "onnxruntime" : $"analog ({decoder.Profile!.Name}, {analog.Tiles} tiles)";
        RunOutputs.WritePng(outDir, "images.png", ImageGrid.Render($"{title}, {decoderName} decoder", images, vae.ImageWidth, vae.ImageHeight, labels, vae.ClassNames));
        return new Decoded(quality, decoderName, analog);
    }

    public static void AddTo(JsonObject report, Decoded decoded)
    {
        var q = decoded.Quality;
        JsonObject Entry(ClassImageQuality c) => new()
        {
            ["samples"] = c.Samples,
            ["reference_images"] = c.ReferenceImages,
            ["class_accuracy"] = Finite(c.ClassAccuracy),
            ["frechet_distance"] = Finite(c.FrechetDistance),
            ["latent_kl_paper"] = Finite(c.LatentKlPaper),
        };
        var perClass = new JsonObject();
        foreach (var c in q.PerClass) perClass[c.Class] = Entry(c);
        var images = new JsonObject
        {
            ["decoder"] = decoded.Decoder,
            ["metric"] = ImageQualityReport.FeatureSpaceDescription,
            ["feature_width"] = q.FeatureWidth,
            ["pooled"] = Entry(q.Pooled),
            ["per_class"] = perClass,
        };
        if (decoded.Analog is { } a)
            images["analog_decoder"] = new JsonObject
            {
                ["tiles"] = a.Tiles,
                ["chips"] = a.Chips,
                ["mvm_count"] = a.Mvms,
                ["tile_input_overflows"] = a.InputOverflows,
                ["saturated_tile_outputs"] = a.SaturatedOutputs,
                ["clipped_activations"] = a.ClippedActivations,
                ["cell_energy_joules"] = a.CellEnergyJoules,
            };
        report["images"] = images;
    }

    private static JsonNode? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Console lines: per class first (pooled figures hide per-class failure), then pooled.</summary>
    public static string Summary(Decoded decoded)
    {
        var q = decoded.Quality;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"decoded images, {decoded.Decoder} decoder (classifier trained on real images; FD = Fréchet distance in its features):");
        foreach (var c in q.PerClass.Append(q.Pooled))
            sb.AppendLine(inv, $"  {(c == q.Pooled ? "pooled" : c.Class),-12} accuracy {c.ClassAccuracy:F3}  FD {c.FrechetDistance:F3}  latent kl_paper {c.LatentKlPaper:F4}  ({c.Samples} samples, {c.ReferenceImages} real)");
        return sb.ToString().TrimEnd();
    }

    public static string Markdown(Decoded decoded)
    {
        var q = decoded.Quality;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"Decoder: {decoded.Decoder}.");
        if (decoded.Analog is { } a)
            sb.AppendLine(inv, $"Its tiles: {a.Mvms} MVMs, {a.InputOverflows} DAC input overflows, {a.SaturatedOutputs} saturated TIA outputs, {a.ClippedActivations} activations at the rail, {a.CellEnergyJoules:G4} J in the cells.");
        sb.AppendLine();
        sb.AppendLine("| decoded images | class accuracy | Fréchet distance | latent kl_paper | samples | real images |\n|---|---|---|---|---|---|");
        foreach (var c in q.PerClass.Append(q.Pooled))
            sb.AppendLine(inv, $"| {(c == q.Pooled ? "**pooled**" : c.Class)} | {c.ClassAccuracy:F3} | {c.FrechetDistance:F3} | {c.LatentKlPaper:F4} | {c.Samples} | {c.ReferenceImages} |");
        sb.AppendLine();
        sb.AppendLine(inv, $"Class accuracy: the VAE's classifier (trained on real images only) names the class each decoded image was generated for. Fréchet distance: {ImageQualityReport.FeatureSpaceDescription} ({q.FeatureWidth} features); comparable only between runs of the same VAE.");
        return sb.ToString();
    }
}
