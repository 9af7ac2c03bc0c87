using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

/// <summary><c>memgrid reproduce --quick</c>: the paper's experiment end to end, every paper figure beside ours.</summary>
public class ReproduceCliTests
{
    [Fact]
    public void Reproduce_quick_runs_both_tasks_and_the_codesign_sweep_and_prints_every_paper_figure_beside_ours()
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("reproduce", "--quick", "--ring", Models.Shipped("ring.onnx"), "--ring-noiseless", Models.Shipped("ring-noiseless.onnx"),
            "--conditional", Models.Shipped("digits3.onnx"), "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        string md = File.ReadAllText(Path.Combine(dir, "reproduction.md"));
        // arXiv v1, journal and IEDM figures, each in the table beside ours.
        foreach (string figure in new[] { "64.8×", "156×", "69×", "116×", "5.2×", "4.1×", "1.46×", "2.08×", "| 20 µs | 7.2 µJ | 3 ms | 22.5 µJ |" })
            Assert.Contains(figure, md);
        Assert.Contains("Assumptions:", md);
        Assert.Contains("--quick:", md);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "reproduction.json")))!;
        ReportAssert.Provenance(dir, "reproduction.json", new[] { "ring.onnx", "ring-noiseless.onnx", "digits3.onnx", "digits3-vae.onnx", "digits3-vae.classifier.onnx" }.ToDictionary(m => m, Models.Shipped),
            1, "rram-180nm", "reproduce", "--quick");
        Assert.Equal("sde", (string?)json["headline_sampler"]);
        Assert.Contains("**The headline is the SDE's**", md);
        foreach (string task in new[] { "ring-sde", "ring-ode", "conditional-sde", "conditional-ode" })
        {
            var t = json["tasks"]![task]!;
            Assert.Equal(task.EndsWith("sde", StringComparison.Ordinal) ? "sde" : "ode", (string?)t["sampler"]);
            Assert.Equal(2, t["analog"]!["chips"]!.AsArray().Count);
            double speedup = (double)t["speedup"]!;
            Assert.Equal((double)t["digital"]!["latency_seconds"]! / (double)t["analog"]!["time_per_sample_seconds"]!, speedup, 1e-9 * speedup);
            Assert.True((double)t["energy_ratio"]! > 0);
            double energy = (double)t["analog"]!["energy_per_sample_joules"]!;
            Assert.InRange(energy, (double)t["analog"]!["energy_per_sample_low_joules"]!, (double)t["analog"]!["energy_per_sample_high_joules"]!);
            Assert.True((double)t["analog"]!["energy_per_sample_high_joules"]! > energy, "the band has width");
            // The digital timing is the least of three rounds spread over the run (another tenant only adds time), and its cost per step is reported.
            var rounds = t["digital"]!["batch_cpu_seconds_per_round"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(3, rounds.Length);
            var alone = t["digital"]!["latency_seconds_per_round"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(3, alone.Length);
            Assert.Equal(alone.Min(), (double)t["digital"]!["latency_seconds"]!, 1e-12);
            // Each round measured the machine first (a fixed loop whose CPU time follows the core's speed).
            Assert.All(t["digital"]!["machine_probe_seconds_per_round"]!.AsArray(), p => Assert.InRange((double)p!, 0.001, 10));
            double batchPerSample = (double)t["digital"]!["time_per_sample_batched_seconds"]!;
            Assert.Equal(rounds.Min() / (double)t["digital"]!["samples"]!, batchPerSample, 1e-9 * batchPerSample);
            Assert.Equal(batchPerSample / (double)t["digital"]!["steps"]!, (double)t["digital"]!["time_per_step_batched_seconds"]!, 1e-9 * batchPerSample);
            // Absolute analog kl and its ratio to the digital figure, both with standard errors.
            double dk = (double)t["digital"]!["kl_paper"]!, ak = (double)t["analog"]!["kl_paper"]!["mean"]!;
            Assert.Equal(ak / dk, (double)t["analog"]!["kl_paper_over_digital"]!["mean"]!, 1e-9 * ak / dk);
            Assert.NotNull(t["analog"]!["kl_paper_over_digital"]!["standard_error"]);
            if (task.EndsWith("ode", StringComparison.Ordinal)) Assert.True(dk < 0.5, $"{task}: the digital baseline must be a good sampler");
        }
        var conditional = json["tasks"]!["conditional-sde"]!;
        Assert.True((double)conditional["digital"]!["decoded_class_accuracy"]! > 0.9);
        Assert.NotNull(conditional["analog"]!["decoded_class_accuracy"]!["mean"]);
        // The co-design claim at σ = 0.1: the hardware-aware model degrades less than the noiseless one.
        var codesign = json["codesign"]!.AsArray();
        double Kl(string model) => (double)codesign.Single(c => (string?)c!["model"] == model && (string?)c["programming_sigma"] == "0.1")!["kl_paper"]!["mean"]!;
        Assert.True(Kl("ring.onnx") < Kl("ring-noiseless.onnx"));
        foreach (string png in new[] { "ring-sde/digital/samples.png", "ring-sde/analog-chip1/samples.png", "conditional-sde/digital/images.png", "conditional-sde/analog-chip1/images.png",
                     "ring-ode/analog-chip1/samples.png", "conditional-ode/digital/images.png", "codesign/quality-vs-programming-sigma.png" })
            Assert.True(new FileInfo(Path.Combine(dir, png)).Length > 1000, png);
    }

    [Fact]
    public void Reproduce_names_a_missing_model()
    {
        var r = CliRunner.Run("reproduce", "--quick", "--ring", "/nonexistent/ring.onnx", "--out", CliRunner.TempDir());
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("/nonexistent/ring.onnx", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
