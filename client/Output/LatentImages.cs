using System.Globalization;
using System.Text;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Client.Output;

/// <summary>The image side of a latent-diffusion run as the user sees it: <c>images.png</c> (one row per class) and the
/// decoded images' figures on the console and in markdown, from the typed <see cref="ImagesSection"/>.</summary>
public static class LatentImages
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes images.png of <paramref name="decoded"/> into <paramref name="outDir"/>.</summary>
    public static void Write(string outDir, string title, DecodedImages decoded, int[] labels) =>
        RunOutputs.WritePng(outDir, "images.png", ImageGrid.Render(
            decoded.Decoder == ImageDecoding.PixelSpace ? $"{title}: generated images" : $"{title}: decoded latents, {decoded.Decoder} decoder", decoded.Pixels,
            decoded.Vae.ImageWidth, decoded.Vae.ImageHeight, decoded.PixelLabels ?? labels, decoded.Vae.ClassNames));

    private static string F(double? v, string format) => v is { } d ? d.ToString(format, Inv) : "n/a";

    private static IEnumerable<(string Name, ImageQualityEntry Entry, bool Pooled)> Rows(ImagesSection images) =>
        images.PerClass.Select(p => (p.Key, p.Value, false)).Append(("pooled", images.Pooled, true));

    /// <summary>Console lines: per class first (pooled figures hide per-class failure), then pooled.</summary>
    public static string Summary(ImagesSection images)
    {
        var sb = new StringBuilder();
        bool pixels = images.Decoder == ImageDecoding.PixelSpace;
        sb.AppendLine(pixels ? "generated images (classifier trained on real images; FD = Fréchet distance in its features to held-out real images):"
            : $"decoded images, {images.Decoder} decoder (classifier trained on real images; FD = Fréchet distance in its features):");
        foreach (var (name, c, _) in Rows(images))
            sb.AppendLine(Inv, $"  {name,-12} accuracy {F(c.ClassAccuracy, "F3")}  FD {F(c.FrechetDistance, "F3")}  {(pixels ? "kl_paper per pixel" : "latent kl_paper")} {F(c.LatentKlPaper, "F4")}  ({c.Samples} samples, {c.ReferenceImages} real)");
        return sb.ToString().TrimEnd();
    }

    public static string Markdown(ImagesSection images)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"Decoder: {images.Decoder}.");
        if (images.AnalogDecoder is { } a)
            sb.AppendLine(Inv, $"Its tiles: {a.MvmCount} MVMs, {a.TileInputOverflows} DAC input overflows, {a.SaturatedTileOutputs} saturated TIA outputs, {a.ClippedActivations} activations at the rail, {a.CellEnergyJoules:G4} J in the cells.");
        sb.AppendLine();
        sb.AppendLine("| decoded images | class accuracy | Fréchet distance | latent kl_paper | samples | real images |\n|---|---|---|---|---|---|");
        foreach (var (name, c, pooled) in Rows(images))
            sb.AppendLine(Inv, $"| {(pooled ? "**pooled**" : name)} | {F(c.ClassAccuracy, "F3")} | {F(c.FrechetDistance, "F3")} | {F(c.LatentKlPaper, "F4")} | {c.Samples} | {c.ReferenceImages} |");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Class accuracy: the VAE's classifier (trained on real images only) names the class each decoded image was generated for. Fréchet distance: {images.Metric} ({images.FeatureWidth} features); comparable only between runs of the same VAE.");
        return sb.ToString();
    }
}
