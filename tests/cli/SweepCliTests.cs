using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

/// <summary><c>memgrid sweep</c> as a user runs it: a conditional sweep with its plots, a sweep resumed after
/// its client was killed, and settings refused before anything is written.</summary>
public sealed class SweepCliTests
{
    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 5000, $"{path} is {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    public void A_conditional_sweep_scores_every_cell_and_writes_its_tables_and_plots()
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("sweep", "--model", Models.Shipped("hku.onnx"), "--labels", "H,U", "--guidance", "1", "--samples", "150",
            "--set", "device.write_verify.relaxation_scale=0,1", "--chips", "2", "--metric", "class_accuracy", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("4 cells (1 model(s) × 2 setting(s) × 2 chip(s)); 4 to run on the embedded silo (local placement)", r.Out);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "sweep.json")))!;
        ReportAssert.Provenance(dir, "sweep.json", new Dictionary<string, string> { ["hku.onnx"] = Models.Shipped("hku.onnx") }, 1, "rram-180nm", "sweep", "--labels", "H,U");
        var cells = json["cells"]!.AsArray();
        Assert.Equal(4, cells.Count);
        foreach (var c in cells)
        {
            Assert.InRange((double)c!["class_accuracy"]!, 0, 1);
            // The classes asked for are the reference's modes: each cell says how many its samples recovered.
            Assert.InRange((double)c["modes_recovered"]!, 0, 2);
            Assert.Null(c["mode_weight_error"]); // a conditioned run asks for its modes' weights: only unconditioned runs have one
            Assert.True((double)c["energy_per_sample_joules"]! > 0);
            Assert.Equal(64, ((string)c["samples_sha256"]!).Length);
        }
        // Two chips are two draws of the device variation: their samples differ.
        Assert.NotEqual((string?)cells[0]!["samples_sha256"], (string?)cells[1]!["samples_sha256"]);
        var configurations = json["configurations"]!.AsArray();
        Assert.Equal(2, configurations.Count);
        foreach (var c in configurations)
        {
            var chipValues = cells.Where(x => (string?)x!["settings"]!["device.write_verify.relaxation_scale"] == (string?)c!["settings"]!["device.write_verify.relaxation_scale"])
                .Select(x => (double)x!["class_accuracy"]!).ToList();
            Assert.Equal(chipValues.Average(), (double)c!["class_accuracy"]!["mean"]!, 12);
        }
        Assert.Contains(configurations, c => (bool)c!["pareto_front"]!);
        // The devices' relaxation after write-verify (NeuRRAM's measured spread) loses classes against none.
        Assert.True((double)configurations[0]!["class_accuracy"]!["mean"]! > (double)configurations[1]!["class_accuracy"]!["mean"]!);
        var csv = File.ReadAllLines(Path.Combine(dir, "sweep.csv"));
        Assert.Equal(5, csv.Length);
        Assert.StartsWith("model,device.write_verify.relaxation_scale,chip,kl_paper,", csv[0]);
        Assert.Contains("| class_accuracy |", File.ReadAllText(Path.Combine(dir, "sweep.md")));
        AssertPng(Path.Combine(dir, "quality-device.write_verify.relaxation_scale.png"));
        AssertPng(Path.Combine(dir, "pareto.png"));
        Assert.Equal(4, Directory.GetFiles(Path.Combine(dir, "cells"), "*.json").Length);
    }

    [Fact]
    public void A_sweep_whose_client_was_killed_resumes_and_recomputes_only_the_unfinished_cells()
    {
        string[] sweep = ["sweep", "--model", Models.Shipped("ring.onnx"), "--set", "device.read_noise_sigma=0,0.02", "--chips", "2",
            "--samples", "300", "--parallel", "1"];
        string dir = CliRunner.TempDir(), cells = Path.Combine(dir, "cells");
        string memgrid = Path.Combine(AppContext.BaseDirectory, "memgrid.dll");
        var killedAt = DateTime.MinValue;
        using (var client = Process.Start(new ProcessStartInfo("dotnet", [memgrid, .. sweep, "--out", dir]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!(Directory.Exists(cells) && Directory.GetFiles(cells, "*.json").Length >= 1))
            {
                if (client.HasExited) Assert.Fail($"the sweep ended before it was killed: {client.StandardError.ReadToEnd()}");
                Assert.True(DateTime.UtcNow < deadline, "no cell finished in 3 minutes");
                Thread.Sleep(50);
            }
            client.Kill(entireProcessTree: true);
            killedAt = DateTime.UtcNow;
            client.WaitForExit();
        }
        var before = Directory.GetFiles(cells, "*.json").ToDictionary(f => f, f => (File.ReadAllText(f), File.GetLastWriteTimeUtc(f)));
        Assert.True(before.Count is >= 1 and <= 3, $"{before.Count} cells finished before the kill: {string.Join(", ", before.Select(b => b.Value.Item2.ToString("HH:mm:ss.fff")))}, killed {killedAt:HH:mm:ss.fff}");
        Assert.False(File.Exists(Path.Combine(dir, "sweep.csv")), "a killed sweep writes no summary");

        var resumed = CliRunner.Run([.. sweep, "--out", dir]);
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Contains($"{before.Count} kept from an earlier run, {4 - before.Count} to run", resumed.Out);
        Assert.Equal(4 - before.Count, resumed.Out.Split('\n').Count(l => l.StartsWith('[')));
        foreach (var (file, (text, written)) in before)
        {
            Assert.Equal(text, File.ReadAllText(file));
            Assert.Equal(written, File.GetLastWriteTimeUtc(file));
        }
        Assert.Equal(4, Directory.GetFiles(cells, "*.json").Length);

        // The resumed sweep equals one that was never interrupted.
        string straight = CliRunner.TempDir();
        var whole = CliRunner.Run([.. sweep, "--out", straight]);
        Assert.True(whole.ExitCode == 0, whole.Err);
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "sweep.csv")), File.ReadAllText(Path.Combine(dir, "sweep.csv")));
    }

    [Theory]
    [InlineData("device.programming_noise.sigmaa=0,1", "unknown profile key 'device.programming_noise.sigmaa'")]
    [InlineData("device.levels", "--set 'device.levels' is not KEY=VALUE")]
    [InlineData("device.read_noise_sigma=-1", "device.read_noise_sigma must be ≥ 0")]
    [InlineData("mapping.tile_rows=8.5", "invalid value")]
    public void Impossible_settings_are_refused_before_anything_is_written(string set, string expected)
    {
        string outDir = Path.Combine(CliRunner.TempDir(), "out");
        var r = CliRunner.Run("sweep", "--model", Models.Shipped("ring.onnx"), "--set", set, "--out", outDir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Class_accuracy_on_an_unconditional_model_is_refused()
    {
        var r = CliRunner.Run("sweep", "--model", Models.Shipped("ring.onnx"), "--metric", "class_accuracy", "--out", CliRunner.TempDir());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--metric class_accuracy needs conditional models; ring.onnx is unconditional", r.Err);
    }
}
