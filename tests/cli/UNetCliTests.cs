using System.Globalization;

namespace MemristorGrid.Cli.Tests;

/// <summary>
/// General graphs from the user's side: the guide's PyTorch U-Net block runs as printed and memgrid inspects and samples
/// what it writes; the shipped U-Net (models/unet-digits.onnx) shows its partition, samples images and is judged
/// like PyTorch's own samples; the analog machine refuses a general graph with one clear line.
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

        // The analog machine does not run general graphs yet, and says so in one line.
        var run = CliRunner.Run("run", "--model", model, "--sde", "vp", "--beta-min", "0.1", "--beta-max", "20", "--out", Path.Combine(dir, "analog"));
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Err);
        Assert.Contains("general score network", run.Err);
        Assert.Single(run.Err.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(dir, "analog")));
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
}
