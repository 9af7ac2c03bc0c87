using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// The models in models/ (made by `memgrid train`, see models/README.md) against fresh reference
/// samples, through the same CLI path a user takes. Fewer steps than the paper's 10 000 keep the suite
/// fast; the bounds allow for that and for the sample size.
/// </summary>
public class ShippedModelQualityTests
{
    private static JsonObject Baseline(string model, string dir, params string[] extra)
    {
        var r = CliRunner.Run(["baseline", "--model", model, "--out", dir, .. extra]);
        Assert.True(r.ExitCode == 0, r.Err);
        return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!.AsObject();
    }

    [Fact]
    public void Ring_model_matches_the_ring_and_an_untrained_network_does_not()
    {
        const int samples = 10_000;
        string dir = CliRunner.TempDir();
        var trained = Baseline(Models.Shipped("ring.onnx"), Path.Combine(dir, "trained"), "--samples", $"{samples}", "--steps", "1000");
        var untrained = Baseline(Models.SaveUntrained(false, dir), Path.Combine(dir, "untrained"), "--samples", $"{samples}", "--steps", "1000");
        double kl = (double)trained["kl_paper"]!;
        double klUntrained = (double)untrained["kl_paper"]!;
        // Two finite samples of one distribution already differ by ≈ (bins − 1)/(2·coordinates) per side.
        double samplingFloor = 2 * 49.0 / (2 * 2 * samples);
        Assert.True(kl <= 0.02 + samplingFloor, $"ring kl_paper {kl}");
        Assert.True(klUntrained >= 10 * kl, $"untrained kl_paper {klUntrained} vs trained {kl}");
    }

    /// <summary>The letters sit side by side, so the 14-unit network must steer each class to its own
    /// region; classifier-free guidance (w = 1) does that reliably (without it: ≈ 0.74, see models/README.md).</summary>
    [Fact]
    public void Hku_model_generates_the_requested_letter()
    {
        string dir = CliRunner.TempDir();
        var report = Baseline(Models.Shipped("hku.onnx"), Path.Combine(dir, "hku"), "--samples", "500", "--steps", "1000", "--guidance", "1");
        double accuracy = (double)report["class_accuracy"]!;
        Assert.True(accuracy >= 0.95, $"class_accuracy {accuracy}");
        var untrained = Baseline(Models.SaveUntrained(true, dir), Path.Combine(dir, "untrained"), "--samples", "500", "--steps", "1000", "--guidance", "1");
        Assert.True((double)untrained["class_accuracy"]! < 0.8, "an untrained network must not look conditional");
    }

    /// <summary>
    /// The latent digits model (3 classes, the paper's network): decoded images of the requested digit,
    /// unguided. 0.961 with the paper's 5 000 steps and 500 per class (models/README.md); the bound
    /// allows 3 standard errors of 600 samples at p = 0.95.
    /// </summary>
    [Fact]
    public void Digits_model_decodes_to_the_requested_digit()
    {
        string dir = CliRunner.TempDir();
        var report = Baseline(Models.Shipped("digits3.onnx"), Path.Combine(dir, "digits3"), "--samples", "200", "--steps", "1000");
        double accuracy = (double)report["images"]!["pooled"]!["class_accuracy"]!;
        Assert.True(accuracy >= 0.95 - 3 * Math.Sqrt(0.95 * 0.05 / 600), $"decoded class accuracy {accuracy}");
        foreach (var (digit, entry) in report["images"]!["per_class"]!.AsObject())
            Assert.True((double)entry!["class_accuracy"]! >= 0.8, $"digit {digit}: {(double)entry["class_accuracy"]!}");
    }
}
