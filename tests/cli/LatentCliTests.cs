using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

/// <summary>The latent-diffusion workflow as a user runs it: train-vae, train --task latent:…, baseline and run decode to images.</summary>
public class LatentCliTests
{
    private static readonly Lazy<(string Dir, string Vae, string Model)> Trained = new(() =>
    {
        string dir = CliRunner.TempDir();
        string vae = Path.Combine(dir, "vae", "digits3-vae.onnx");
        var r = CliRunner.Run("train-vae", "--data", "digits", "--classes", "0,1,2", "--hidden", "32", "--epochs", "60",
            "--classifier-hidden", "16", "--classifier-epochs", "20", "--out", vae);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("classes 0, 1, 2", r.Out);
        Assert.Contains("held-out real images", r.Out);
        string model = Path.Combine(dir, "digits3.onnx");
        r = CliRunner.Run("train", "--task", $"latent:{vae}", "--epochs", "1500", "--out", model);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("3 classes", r.Out);
        return (dir, vae, model);
    });

    [Fact]
    public void Train_vae_writes_three_onnx_files()
    {
        var (_, vae, _) = Trained.Value;
        Assert.True(File.Exists(vae));
        Assert.True(File.Exists(vae.Replace(".onnx", ".encoder.onnx")));
        Assert.True(File.Exists(vae.Replace(".onnx", ".classifier.onnx")));
    }

    [Fact]
    public void Baseline_and_run_decode_latents_to_images_with_per_class_metrics()
    {
        var (dir, _, model) = Trained.Value;
        string baseline = Path.Combine(dir, "baseline");
        var r = CliRunner.Run("baseline", "--model", model, "--samples", "60", "--steps", "300", "--out", baseline);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("images.png", r.Out);
        Assert.Contains("pooled", r.Out);
        AssertPng(Path.Combine(baseline, "images.png"));
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(baseline, "report.json")))!;
        var perClass = report["images"]!["per_class"]!.AsObject();
        Assert.Equal(["0", "1", "2"], perClass.Select(kv => kv.Key));
        foreach (var (_, entry) in perClass)
        {
            Assert.Equal(60, (int)entry!["samples"]!);
            Assert.InRange((double)entry["class_accuracy"]!, 0, 1);
            Assert.True((double)entry["frechet_distance"]! >= 0);
        }
        Assert.Equal(180, (int)report["images"]!["pooled"]!["samples"]!);

        string analog = Path.Combine(dir, "analog");
        r = CliRunner.Run("run", "--model", model, "--profile", "ideal", "--samples", "20", "--out", analog);
        Assert.True(r.ExitCode == 0, r.Err);
        AssertPng(Path.Combine(analog, "images.png"));
        Assert.Contains("| decoded images | class accuracy", File.ReadAllText(Path.Combine(analog, "report.md")));
    }

    [Fact]
    public void Compare_decodes_both_sides()
    {
        var (dir, _, model) = Trained.Value;
        string outDir = Path.Combine(dir, "compare");
        var r = CliRunner.Run("compare", "--model", model, "--profile", "ideal", "--samples", "20", "--steps", "200", "--simulator", "reference", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("| decoded images | accuracy", r.Out);
        AssertPng(Path.Combine(outDir, "digital", "images.png"));
        AssertPng(Path.Combine(outDir, "analog", "images.png"));
        Assert.True(File.Exists(Path.Combine(outDir, "digital", "samples.csv")));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "compare.json")))!;
        Assert.InRange((double)json["digital"]!["decoded_class_accuracy"]!, 0, 1);
        Assert.InRange((double)json["analog"]!["decoded_class_accuracy"]!, 0, 1);
    }

    [Fact]
    public void Sweep_ranks_latent_models_by_their_decoded_images()
    {
        var (dir, _, model) = Trained.Value;
        string outDir = Path.Combine(dir, "sweep");
        var r = CliRunner.Run("sweep", "--model", model, "--profile", "rram-180nm", "--set", "device.read_noise_sigma=0,0.05", "--chips", "1",
            "--samples", "20", "--metric", "frechet_distance", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("decoded accuracy", r.Out);
        var csv = File.ReadAllLines(Path.Combine(outDir, "sweep.csv"));
        int fd = Array.IndexOf(csv[0].Split(','), "frechet_distance");
        Assert.True(fd > 0);
        Assert.All(csv.Skip(1), line => Assert.True(double.Parse(line.Split(',')[fd], System.Globalization.CultureInfo.InvariantCulture) >= 0));
        Assert.Contains("Fréchet distance", File.ReadAllText(Path.Combine(outDir, "sweep.md")));

        var refused = CliRunner.Run("sweep", "--model", Models.Shipped("ring.onnx"), "--samples", "10", "--metric", "decoded_class_accuracy", "--out", Path.Combine(dir, "sweep-ring"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--metric decoded_class_accuracy needs latent models", refused.Err);
    }

    [Fact]
    public void A_model_and_its_vae_can_move_together()
    {
        var (dir, vae, model) = Trained.Value;
        string moved = Path.Combine(dir, "moved");
        Directory.CreateDirectory(Path.Combine(moved, "vae"));
        foreach (var f in Directory.GetFiles(Path.GetDirectoryName(vae)!)) File.Copy(f, Path.Combine(moved, "vae", Path.GetFileName(f)));
        File.Copy(model, Path.Combine(moved, "digits3.onnx"));
        var r = CliRunner.Run("baseline", "--model", Path.Combine(moved, "digits3.onnx"), "--samples", "10", "--steps", "50", "--out", Path.Combine(moved, "out"));
        Assert.True(r.ExitCode == 0, r.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(moved, "out", "report.json")))!;
        Assert.StartsWith("latent:" + Path.Combine(moved, "vae"), (string)report["reference"]!);
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Theory]
    [InlineData("--data", "/nonexistent/images", "unknown image data '/nonexistent/images'")]
    [InlineData("--classes", "0", "--classes must name at least two classes")]
    [InlineData("--classes", "0,1,banana", "unknown class 'banana'")]
    [InlineData("--latent", "1", "--latent of 1 holds at most 2 class means")]
    [InlineData("--hidden", "32,x", "--hidden must be positive widths")]
    public void Bad_vae_settings_are_one_clear_error(string option, string value, string message)
    {
        string dir = CliRunner.TempDir();
        string output = Path.Combine(dir, "v.onnx");
        var args = new List<string> { "train-vae", "--data", "digits", "--classes", "0,1,2", "--epochs", "1", "--out", output };
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);
        var r = CliRunner.Run([.. args]);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
        Assert.Contains(message, r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_damaged_idx_directory_is_refused_before_training()
    {
        string dir = CliRunner.TempDir();
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), [0, 0, 8, 1, 0, 0, 0, 1, 0]);
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 1, 0]);
        var r = CliRunner.Run("train-vae", "--data", dir, "--out", Path.Combine(dir, "v.onnx"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not an IDX images file (magic number 0x00000801; expected 0x00000803)", r.Err);
        Assert.False(File.Exists(Path.Combine(dir, "v.onnx")));
    }

    [Fact]
    public void A_latent_task_without_its_vae_is_refused()
    {
        var r = CliRunner.Run("train", "--task", "latent:/nonexistent/vae.onnx", "--out", Path.Combine(CliRunner.TempDir(), "m.onnx"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("/nonexistent/vae.onnx: file not found", r.Err);
    }
}
