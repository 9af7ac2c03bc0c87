using System.Globalization;

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// General graphs from the user's side: the guide's PyTorch U-Net block runs as printed and memgrid inspects and samples
/// what it writes; the shipped U-Net (models/unet-digits.onnx) shows its partition, samples images and is judged
/// like PyTorch's own samples; run samples it (on the embedded silo by default), and compare refuses it with one clear line.
/// </summary>
public class UNetCliTests
{
    private static string Python(string dir, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3")
        { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        System.Diagnostics.Process python;
        try { python = System.Diagnostics.Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception) { throw new InvalidOperationException("/usr/bin/python3 not found: install python3-torch python3-onnx; .ci/run does"); }
        var stderr = python.StandardError.ReadToEndAsync();
        string output = python.StandardOutput.ReadToEnd();
        Assert.True(python.WaitForExit(600_000), "python did not finish");
        Assert.True(python.ExitCode == 0, $"python {string.Join(' ', args)} failed:\n{stderr.Result}");
        return output;
    }

    [Fact]
    public void The_guides_unet_block_runs_as_printed_and_memgrid_inspects_and_samples_it()
    {
        string guide = File.ReadAllText(Path.Combine(CliRunner.RepoRoot(), "docs", "bring-your-own-model.md"));
        int section = guide.IndexOf("## Convolutional U-Nets", StringComparison.Ordinal);
        int start = guide.IndexOf("```python\n", section, StringComparison.Ordinal) + "```python\n".Length;
        string dir = CliRunner.TempDir();
        File.WriteAllText(Path.Combine(dir, "export.py"), guide[start..guide.IndexOf("```", start, StringComparison.Ordinal)]);
        Python(dir, "export.py");
        string model = Path.Combine(dir, "unet.onnx");

        var inspect = CliRunner.Run("inspect", "--model", model, "--sde", "vp", "--beta-min", "0.1", "--beta-max", "20", "--profile", "rram-180nm");
        Assert.True(inspect.ExitCode == 0, inspect.Err);
        Assert.Contains("general graph", inspect.Out);
        Assert.Contains("InstanceNormalization", inspect.Out); // nn.GroupNorm as PyTorch 1.13 writes it, on the digital unit
        foreach (var unit in new[] { "controller", "tiles", "periphery", "digital", "wiring" }) Assert.Contains($"  {unit} ", inspect.Out);
        Assert.Contains("/down/Conv", inspect.Out);
        Assert.Contains("on the controller", inspect.Out); // the time MLP

        // A reference of 64-D points (the user's images as CSV); the untrained model's metrics are poor but computed.
        var rng = new Random(5);
        File.WriteAllLines(Path.Combine(dir, "my-images.csv"), new[] { string.Join(',', Enumerable.Range(1, 64).Select(i => $"x{i}")) }
            .Concat(Enumerable.Range(0, 200).Select(_ => string.Join(',', Enumerable.Range(0, 64).Select(_ => (rng.NextDouble() * 2 - 1).ToString("F3", CultureInfo.InvariantCulture))))));
        var baseline = CliRunner.Run("baseline", "--model", model, "--sde", "vp", "--beta-min", "0.1", "--beta-max", "20", "--reference-data", Path.Combine(dir, "my-images.csv"),
            "--samples", "20", "--steps", "50", "--out", Path.Combine(dir, "out"));
        Assert.True(baseline.ExitCode == 0, baseline.Err);
        Assert.Equal(21, File.ReadLines(Path.Combine(dir, "out", "samples.csv")).Count());
        Assert.Contains("kl_paper", baseline.Out);

        // run: on the embedded silo, on the 180 nm preset, with the time and energy per sample split between analog, controller and digital.
        var run = CliRunner.Run("run", "--model", model, "--sde", "vp", "--beta-min", "0.1", "--beta-max", "20", "--reference-data", Path.Combine(dir, "my-images.csv"),
            "--samples", "4", "--out", Path.Combine(dir, "analog"));
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("embedded silo", run.Out); // the grain system, as for the MLP family
        Assert.Contains("digital unit", run.Out);
        var report = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "analog", "report.json")))!;
        Assert.Equal("analog-graph", (string)report["kind"]!);
        var shares = report["energy_shares"]!;
        Assert.Equal(1.0, (double)shares["analog"]! + (double)shares["controller"]! + (double)shares["digital"]!, 6);
        var split = report["loop_delay_split_seconds"]!;
        Assert.Equal((double)report["loop_delay_seconds"]!, (double)split["analog"]! + (double)split["conversions"]! + (double)split["digital"]!, 9);
        Assert.True((double)split["digital"]! > 0); // the GroupNorms sit in the loop
        Assert.Equal(5, File.ReadLines(Path.Combine(dir, "analog", "samples.csv")).Count());
        // The per-layer roll-up names the conv layers with their matrices and the pixels each is applied to.
        var layers = report["layers"]!.AsArray();
        var down = layers.Single(l => (string)l!["name"]! == "/down/Conv")!;
        Assert.Equal(16 * 9, (int)down["inputs"]!);
        Assert.Equal(32, (int)down["outputs"]!);
        Assert.Equal(16, (int)down["vectors_per_sample"]!); // 4 × 4 output pixels
        Assert.True((double)down["mvms_per_sample"]! > 0);
        Assert.Equal(layers.Sum(l => (int)l!["tiles"]!), (int)report["tiles"]!);
        Assert.Contains(report["digital_nodes"]!.AsArray(), n => (string)n!["op"]! == "InstanceNormalization");

        // compare, sweep and reproduce take only the MLP family so far, and say so in one line.
        var compare = CliRunner.Run("compare", "--model", model, "--sde", "vp", "--beta-min", "0.1", "--beta-max", "20", "--out", Path.Combine(dir, "compare"));
        Assert.Equal(1, compare.ExitCode);
        Assert.StartsWith("error: ", compare.Err);
        Assert.Contains("general score network", compare.Err);
        Assert.Single(compare.Err.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(dir, "compare")));
    }

    [Fact]
    public void The_shipped_unet_maps_to_272_tiles_on_17_chips_and_samples_digit_images()
    {
        string model = Models.Shipped("unet-digits.onnx");
        var inspect = CliRunner.Run("inspect", "--model", model, "--profile", "rram-180nm");
        Assert.True(inspect.ExitCode == 0, inspect.Err);
        Assert.Contains("272 tiles of 64 × 64 on 17 chips", inspect.Out);
        Assert.Contains("digital nodes: 14 InstanceNormalization, 2 MatMul, 1 Softmax", inspect.Out);

        string dir = CliRunner.TempDir();
        var baseline = CliRunner.Run("baseline", "--model", model, "--samples", "40", "--steps", "100", "--out", Path.Combine(dir, "b"));
        Assert.True(baseline.ExitCode == 0, baseline.Err);
        Assert.Contains("generated images", baseline.Out);
        Assert.Contains("FD", baseline.Out);
        Assert.True(new FileInfo(Path.Combine(dir, "b", "images.png")).Length > 2000);

        // score reads the same metrics for samples from elsewhere: here memgrid's own, which must give the baseline's figures.
        var score = CliRunner.Run("score", "--model", model, "--samples", Path.Combine(dir, "b", "samples.csv"));
        Assert.True(score.ExitCode == 0, score.Err);
        string Fd(string text) => text.Split('\n').Single(l => l.Contains("pooled")).Split("FD ")[1].Split(' ')[0];
        Assert.Equal(Fd(baseline.Out), Fd(score.Out));
    }

    /// <summary>
    /// memgrid's digital baseline against PyTorch's own sampler on the same file (probability-flow Euler, 1 000 steps, 300
    /// samples; PyTorch's three seeds shipped beside the model, made by models/pytorch/unet_digits.py). Both judged by
    /// memgrid score: kl_paper per pixel against the training images, and the classifier's Fréchet distance. Measured:
    /// PyTorch kl 0.184 / 0.208 / 0.193, FD 0.632 / 0.573 / 1.024; memgrid seeds 1–3 kl 0.229 / 0.195 / 0.181, FD 1.144 / 0.730 / 0.906.
    /// </summary>
    [Fact]
    public void The_digital_baseline_matches_pytorchs_own_sampler_within_sampling_noise()
    {
        string model = Models.Shipped("unet-digits.onnx");
        (double Kl, double Fd) Figures(string text) => (
            double.Parse(text.Split('\n').Single(l => l.StartsWith("kl_paper ")).Split(' ')[1], CultureInfo.InvariantCulture),
            double.Parse(text.Split('\n').Single(l => l.Contains("pooled")).Split("FD ")[1].Split(' ')[0], CultureInfo.InvariantCulture));
        var torch = Enumerable.Range(1, 3).Select(seed =>
        {
            var r = CliRunner.Run("score", "--model", model, "--samples", Models.Shipped($"unet-digits.torch-samples-seed{seed}.csv"));
            Assert.True(r.ExitCode == 0, r.Err);
            return Figures(r.Out);
        }).ToList();
        string dir = CliRunner.TempDir();
        var baseline = CliRunner.Run("baseline", "--model", model, "--samples", "300", "--steps", "1000", "--seed", "2", "--out", dir);
        Assert.True(baseline.ExitCode == 0, baseline.Err);
        var (kl, fd) = Figures(baseline.Out);
        // Within the spread PyTorch's own seeds show, widened by that spread (3 seeds of 300 samples are a small sample of it).
        double klSpread = torch.Max(t => t.Kl) - torch.Min(t => t.Kl), fdSpread = torch.Max(t => t.Fd) - torch.Min(t => t.Fd);
        Assert.InRange(kl, torch.Min(t => t.Kl) - klSpread, torch.Max(t => t.Kl) + klSpread);
        Assert.InRange(fd, torch.Min(t => t.Fd) - fdSpread, torch.Max(t => t.Fd) + fdSpread);
    }

    /// <summary>
    /// --profile ideal (with an RC the U-Net's loop allows: the preset's 20 µs is made for the paper's MLP and is refused) runs the
    /// closed loop through exact tiles, converters and rails: each sample ends where the digital baseline's sample from the same
    /// prior draw ends, up to the solvers' difference (adaptive Dormand–Prince against 1 000 Euler steps). Measured on 100
    /// samples: median RMS difference 0.0058 (max 0.021) against samples of RMS 0.85.
    /// </summary>
    [Fact]
    public void On_an_ideal_machine_each_sample_ends_where_the_digital_baselines_does()
    {
        string dir = CliRunner.TempDir(), model = Models.Shipped("unet-digits.onnx");
        string ideal = File.ReadAllText(Path.Combine(CliRunner.RepoRoot(), "profiles", "ideal.json"));
        Assert.Contains("\"time_constant_seconds\": 20e-6", ideal);
        File.WriteAllText(Path.Combine(dir, "ideal-slow.json"), ideal.Replace("\"time_constant_seconds\": 20e-6", "\"time_constant_seconds\": 10"));
        var refused = CliRunner.Run("run", "--model", model, "--profile", "ideal", "--samples", "2", "--out", Path.Combine(dir, "refused"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("integrator.time_constant_seconds", refused.Err);
        Assert.False(Directory.Exists(Path.Combine(dir, "refused")));

        var analog = CliRunner.Run("run", "--model", model, "--profile", Path.Combine(dir, "ideal-slow.json"), "--samples", "12", "--out", Path.Combine(dir, "analog"));
        Assert.True(analog.ExitCode == 0, analog.Err);
        var digital = CliRunner.Run("baseline", "--model", model, "--samples", "12", "--steps", "1000", "--out", Path.Combine(dir, "digital"));
        Assert.True(digital.ExitCode == 0, digital.Err);
        float[][] Read(string d) => File.ReadLines(Path.Combine(dir, d, "samples.csv")).Skip(1)
            .Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var (a, b) = (Read("analog"), Read("digital"));
        Assert.Equal(12, a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            double rms = Math.Sqrt(a[i].Zip(b[i], (x, y) => (x - y) * (double)(x - y)).Average());
            Assert.True(rms < 0.05, $"sample {i}: RMS difference {rms} from the digital baseline's");
        }
    }
}
