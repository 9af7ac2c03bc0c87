using System.Text.Json.Nodes;

namespace MemristorGrid.Cli.Tests;

/// <summary><c>memgrid run</c>, <c>compare</c>, <c>sweep</c> and <c>inspect --profile</c> end to end.</summary>
public class AnalogCliTests
{
    [Fact]
    public void Run_writes_samples_reports_and_plots_with_per_tile_costs()
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", "rram-180nm", "--samples", "600", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        foreach (var f in new[] { "samples.csv", "report.json", "report.md", "samples.png", "tiles.png" })
            Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 100, f);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        Assert.Equal("rram-180nm", (string?)report["profile"]);
        var tiles = report["tiles"]!.AsArray();
        Assert.Equal(3, tiles.Count);
        foreach (var t in tiles)
        {
            Assert.True((double)t!["energy_joules"]! > 0);
            Assert.True((long)t["mvm_count"]! > 0);
            Assert.True((double)t["simulated_latency_seconds"]! > 0);
            Assert.NotNull(t["adc_conversions"]);
            Assert.Equal(0, (int)t["chip"]!);
        }
        double perSample = (double)report["energy_per_sample_joules"]!;
        double total = tiles.Sum(t => (double)t!["energy_joules"]!);
        Assert.True(perSample * 600 > total, "the total includes the circuits outside the tiles");
        // The preset derives RC from the loop: the time per sample is reset + first settling + RC × span + readout.
        var loop = report["loop"]!;
        Assert.StartsWith("derived", (string?)loop["rc_reason"]);
        Assert.Equal((double)report["reset_seconds"]! + (double)report["loop_delay_seconds"]! + (double)loop["rc_used_seconds"]! * (1 - 1e-4)
            + (double)report["readout_seconds"]!, (double)report["time_per_sample_seconds"]!, 1e-12);
        Assert.InRange((double)loop["rc_used_seconds"]!, (double)loop["rc_min_seconds"]!, 2 * (double)loop["rc_min_seconds"]!);
        Assert.True((long)report["network_evaluations"]! > 0);
        Assert.True((double)report["kl_paper"]! < 2);
        Assert.Contains("energy per sample by component", File.ReadAllText(Path.Combine(dir, "report.md")));
        // The share of energy resting on sourced figures is exactly that of the lines whose every parameter has a source.
        var basis = report["energy_basis"]!;
        var lines = report["energy_lines"]!.AsArray();
        Assert.Equal(12, lines.Count);
        double cited = lines.Where(l => (string?)l!["basis"] != "assumption").Sum(l => (double)l!["joules_per_sample"]!) / perSample;
        Assert.True(cited > 0);
        Assert.Equal(cited, (double)basis["sourced_share"]!, 1e-9);
        Assert.Equal(1, (double)basis["sourced_share"]! + (double)basis["assumed_share"]!, 1e-12);
        Assert.Contains("Murmann", (string?)basis["sourced_components"]!["readout_adc"]);
        // The TIAs' settling is derived from the loop: their energy rests on the op-amp figure, the budget and the node.
        Assert.Equal("derived", (string?)lines.Single(l => (string?)l!["component"] == "tia")!["basis"]);
        Assert.True((double)basis["sourced_share"]! >= 0.8, $"{(double)basis["sourced_share"]!:P1} of the energy is sourced");
        foreach (var line in lines)
            Assert.InRange((double)line!["joules_per_sample"]!, (double)line["low_joules_per_sample"]!, (double)line["high_joules_per_sample"]!);
        var program = report["program"]!;
        Assert.Equal("write-verify", (string?)program["method"]);
        Assert.Equal(2 * (3 * 14 + 15 * 14 + 15 * 2), (long)program["devices"]!);
        Assert.Equal(601, File.ReadAllLines(Path.Combine(dir, "samples.csv")).Length);
    }

    private static string ProfileWithTimeConstant(string dir, double rc)
    {
        var p = MemristorGrid.Engine.Profiles.HardwareProfile.Resolve("rram-180nm");
        // The loop's timing given, not derived: RC, 20 ns TIAs, 10 ns activations, 100 updates per RC.
        p = p with
        {
            Name = $"rc-{rc:G3}", Loop = p.Loop with { Derive = false }, Integrator = p.Integrator with { TimeConstantSeconds = rc },
            Tia = p.Tia with { SettlingSeconds = 20e-9 }, Activation = p.Activation with { DelaySeconds = 10e-9 }, Controller = p.Controller with { UpdatePeriodSeconds = rc / 100 },
        };
        string path = Path.Combine(dir, $"rc-{rc:G3}.json");
        File.WriteAllText(path, p.ToJson());
        return path;
    }

    [Fact]
    public void Timing_follows_physics_profile_check_refuses_a_loop_faster_than_its_settling_and_a_faster_integrator_costs_more()
    {
        string dir = CliRunner.TempDir();
        // 40 ns: below even the 50 ns of the shortest loop (two tile settlings and one activation).
        var check = CliRunner.Run("profile", "check", ProfileWithTimeConstant(dir, 40e-9));
        Assert.NotEqual(0, check.ExitCode);
        Assert.Contains("integrator.time_constant_seconds", check.Err);
        Assert.Contains("settling", check.Err);
        Assert.DoesNotContain("   at ", check.Err);
        Assert.Equal(0, CliRunner.Run("profile", "check", ProfileWithTimeConstant(dir, 20e-6)).ExitCode);

        double IntegratorPower(double rc)
        {
            string outDir = Path.Combine(dir, $"out-{rc:G3}");
            var r = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", ProfileWithTimeConstant(dir, rc), "--samples", "20", "--simulator", "reference", "--out", outDir);
            Assert.True(r.ExitCode == 0, r.Err);
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
            Assert.Equal("bandwidth", (string?)report["opamp_power_watts"]!["basis"]);
            return (double)report["opamp_power_watts"]!["integrator"]!;
        }
        double slow = IntegratorPower(20e-6), fast = IntegratorPower(10e-6);
        Assert.True(fast >= 2 * slow * (1 - 1e-12), $"halving RC: integrator op-amp {slow} W → {fast} W");
    }

    [Fact]
    public void The_demo_board_runs_past_the_end_of_the_schedule_as_its_firmware_does()
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("run", "--model", Models.Shipped("hku.onnx"), "--profile", "mcu-demo", "--samples", "20", "--sampler", "sde",
            "--end-time", "-0.2", "--simulator", "reference", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        // 1 → −0.2 is 1.2 units of diffusion time at RC = 1 s: the board's 1.2 s run.
        Assert.Equal(1.2, (double)report["generation_seconds"]!, 1e-9);
        Assert.All(File.ReadAllLines(Path.Combine(dir, "samples.csv")).Skip(1), line => Assert.DoesNotContain("NaN", line));
        Assert.True((double)report["class_accuracy"]! > 0.8);

        // The textbook reverse SDE injects √β noise, which does not exist where β < 0: refused, naming the option.
        var refused = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", "rram-180nm", "--samples", "20", "--sampler", "sde",
            "--end-time", "-0.2", "--simulator", "reference", "--out", CliRunner.TempDir());
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("end_time", refused.Err);
        Assert.DoesNotContain("   at ", refused.Err);
        // The probability-flow ODE has no noise: it runs past zero on any profile.
        Assert.Equal(0, CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", "ideal", "--samples", "20",
            "--end-time", "-0.2", "--simulator", "reference", "--out", CliRunner.TempDir()).ExitCode);
    }

    [Fact]
    public void The_report_rolls_up_layers_utilisation_and_ops_and_opens_with_the_baseline_when_given()
    {
        string dir = CliRunner.TempDir();
        var b = CliRunner.Run("baseline", "--model", Models.Shipped("ring.onnx"), "--samples", "300", "--steps", "200", "--out", Path.Combine(dir, "digital"));
        Assert.True(b.ExitCode == 0, b.Err);
        var r = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", "rram-180nm", "--samples", "300", "--simulator", "reference",
            "--baseline-report", Path.Combine(dir, "digital", "report.json"), "--out", Path.Combine(dir, "analog"));
        Assert.True(r.ExitCode == 0, r.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "analog", "report.json")))!;
        var layers = report["layers"]!.AsArray();
        Assert.Equal(3, layers.Count);
        // 2 → 14 → 14 → 2 with bias rows, a device pair per weight, in three 64 × 64 tiles.
        Assert.Equal(2 * (3 * 14 + 15 * 14 + 15 * 2), layers.Sum(l => (long)l!["used_devices"]!));
        Assert.Equal(564.0 / (3 * 2 * 64 * 64), (double)report["array_utilisation"]!, 1e-12);
        double ops = layers.Sum(l => (double)l!["ops"]!);
        Assert.Equal(2.0 * (3 * 14 + 15 * 14 + 15 * 2) * (long)layers[0]!["mvms"]!, ops, 1e-9 * ops); // every layer runs once per evaluation
        Assert.Equal(ops / (double)report["energy_total_joules"]!, (double)report["ops_per_joule"]!, 1e-9 * ops);
        string md = File.ReadAllText(Path.Combine(dir, "analog", "report.md"));
        Assert.Contains("**Digital against analog.**", md);
        Assert.Contains("what it measures", md);
        Assert.Contains("| all | 3 |", md);

        var notBaseline = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--samples", "10", "--simulator", "reference",
            "--baseline-report", Path.Combine(dir, "analog", "report.json"), "--out", Path.Combine(dir, "x"));
        Assert.NotEqual(0, notBaseline.ExitCode);
        Assert.Contains("baseline-report", notBaseline.Err);
    }

    [Fact]
    public void Run_generates_the_requested_classes_on_the_demo_board()
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("run", "--model", Models.Shipped("hku.onnx"), "--profile", "mcu-demo", "--samples", "60", "--labels", "K,U", "--sampler", "sde", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        Assert.Equal(["K", "U"], report["labels"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(200, (int)report["controller_updates"]!);
        Assert.InRange((double)report["time_per_sample_seconds"]!, 0.999, 1.01);
        Assert.NotNull(report["class_accuracy"]);
    }

    /// <summary>The board's embedding DACs span ±2 network units, as the firmware writes them: guided HKU
    /// class vectors rarely overflow (with the ±1 the profile once had, 18.8 % of updates did).</summary>
    [Fact]
    public void The_demo_boards_embedding_dacs_hold_the_guided_class_vectors()
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("run", "--model", Models.Shipped("hku.onnx"), "--profile", "mcu-demo", "--guidance", "1", "--samples", "40", "--sampler", "sde", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        Assert.True((double)report["embedding_dac_overflow_fraction"]! < 0.01, $"overflow fraction {report["embedding_dac_overflow_fraction"]}");
    }

    [Fact]
    public void Compare_prints_speedup_and_energy_ratio_from_the_model()
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("compare", "--model", Models.Shipped("ring.onnx"), "--profile", "rram-180nm", "--samples", "400", "--steps", "200", "--out", dir);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("speed-up", r.Out);
        Assert.Contains("energy per sample", r.Out);
        Assert.Contains("assumptions", r.Out);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "compare.json")))!;
        var digital = json["digital"]!;
        // Like for like: one sample at a time on each side; the batched figures beside them.
        double latency = (double)digital["latency_seconds"]!, analogTime = (double)json["analog"]!["time_per_sample_seconds"]!;
        Assert.Equal(latency / analogTime, (double)json["speedup"]!, 1e-9 * latency / analogTime);
        double batched = (double)digital["time_per_sample_seconds"]!;
        Assert.Equal(batched / analogTime, (double)json["speedup_throughput"]!, 1e-9 * batched / analogTime);
        Assert.True(batched < latency, "a batch amortises the per-call cost");
        Assert.True((int)digital["latency_samples"]! >= 4);
        double digitalEnergy = (double)digital["energy_per_sample_joules"]!, analogEnergy = (double)json["analog"]!["energy_per_sample_joules"]!;
        Assert.Equal(digitalEnergy / analogEnergy, (double)json["energy_ratio"]!, 1e-9 * digitalEnergy / analogEnergy);
        if ((string?)digital["energy_source"] == "platform")
        {
            // The default platform is the paper's own baseline: 22.5 µJ / 3.0 ms = 7.5 mW per CPU-second.
            Assert.Equal("paper-edge", (string?)digital["platform"]!["name"]);
            Assert.Equal(latency * 7.5e-3, digitalEnergy, 1e-9 * digitalEnergy);
            Assert.Equal(batched * 7.5e-3, (double)digital["energy_per_sample_batched_joules"]!, 1e-9 * digitalEnergy);
            Assert.Contains("IEDM", File.ReadAllText(Path.Combine(dir, "compare.md")));
        }
        Assert.True(File.Exists(Path.Combine(dir, "analog", "report.json")));
        Assert.Equal("embedded-silo", (string?)json["analog"]!["simulator"]);

        // The analog side runs on the grain system by default and returns the reference simulator's samples.
        string reference = CliRunner.TempDir();
        var rr = CliRunner.Run("compare", "--model", Models.Shipped("ring.onnx"), "--profile", "rram-180nm", "--samples", "400", "--steps", "200",
            "--simulator", "reference", "--out", reference);
        Assert.True(rr.ExitCode == 0, rr.Err);
        Assert.Equal("reference", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(reference, "compare.json")))!["analog"]!["simulator"]);
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "analog", "samples.csv")), File.ReadAllText(Path.Combine(dir, "analog", "samples.csv")));
    }

    [Fact]
    public void Compare_charges_the_digital_baseline_to_a_named_platform()
    {
        string dir = CliRunner.TempDir();
        var gpu = CliRunner.Run("compare", "--model", Models.Shipped("ring.onnx"), "--profile", "ideal", "--samples", "50", "--steps", "100",
            "--simulator", "reference", "--platform", "datacenter-gpu", "--out", dir);
        Assert.True(gpu.ExitCode == 0, gpu.Err);
        var digital = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "compare.json")))!["digital"]!;
        if ((string?)digital["energy_source"] == "rapl") return; // a machine with an energy counter measures instead
        // 2·(2·14 + 14·14 + 14·2) multiply-adds per step × 100 steps, at 5 % of 19.5 TFLOP/s, × 400 W.
        double flops = 2.0 * (2 * 14 + 14 * 14 + 14 * 2) * 100;
        Assert.Equal(flops, (double)digital["flops_per_sample"]!, 1e-9 * flops);
        Assert.Equal(flops / (19.5e12 * 0.05) * 400, (double)digital["energy_per_sample_joules"]!, 1e-9);
        Assert.Contains("A100", (string?)digital["platform"]!["source"]);

        var cpu = CliRunner.Run("compare", "--model", Models.Shipped("ring.onnx"), "--profile", "ideal", "--samples", "50", "--steps", "100",
            "--simulator", "reference", "--cpu-watts", "2", "--out", dir);
        Assert.True(cpu.ExitCode == 0, cpu.Err);
        var d2 = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "compare.json")))!["digital"]!;
        Assert.Equal((double)d2["latency_seconds"]! * 2, (double)d2["energy_per_sample_joules"]!, 1e-12);

        var bad = CliRunner.Run("compare", "--model", Models.Shipped("ring.onnx"), "--platform", "abacus", "--out", dir);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("paper-edge", bad.Err);
    }

    [Fact]
    public void Inspect_shows_the_tile_and_chip_plan()
    {
        var r = CliRunner.Run("inspect", "--model", Models.Shipped("ring.onnx"), "--profile", "rram-180nm");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("3 tiles", r.Out);
        Assert.Contains("L1/r0/c0", r.Out);
        Assert.Contains("chip 0", r.Out);
    }

    [Theory]
    [InlineData("\"g_min_microsiemens\": 5", "\"g_min_microsiemens\": 200", "g_min_microsiemens")]
    [InlineData("\"levels\": null", "\"levels\": null, \"speed\": 1", "unknown key")]
    [InlineData("\"levels\": null", "\"levels\": 0", "device.levels")]
    [InlineData("\"read_noise_sigma\": 0", "\"read_noise_sigma\": -1", "read_noise_sigma")]
    [InlineData("\"time_constant_seconds\": 20e-6", "\"time_constant_seconds\": 0", "time_constant_seconds")]
    public void Impossible_profiles_are_refused_before_anything_is_written(string find, string replace, string expected)
    {
        string dir = CliRunner.TempDir();
        string ideal = CliRunner.Run("profile", "show", "ideal").Out;
        Assert.Contains(find, ideal);
        string path = Path.Combine(dir, "bad.json");
        File.WriteAllText(path, ideal.Replace(find, replace));
        string outDir = Path.Combine(dir, "out");
        var r = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", path, "--samples", "10", "--out", outDir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Unknown_presets_labels_and_options_are_refused()
    {
        string dir = CliRunner.TempDir();
        var noProfile = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--profile", "rram-7nm", "--out", dir);
        Assert.Equal(1, noProfile.ExitCode);
        Assert.Contains("rram-7nm", noProfile.Err);
        var guidance = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--guidance", "1", "--out", dir);
        Assert.Equal(1, guidance.ExitCode);
        var label = CliRunner.Run("run", "--model", Models.Shipped("hku.onnx"), "--labels", "Q", "--out", dir);
        Assert.Equal(1, label.ExitCode);
        Assert.Contains("unknown label 'Q'", label.Err);
        var sampler = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--sampler", "rk4", "--out", dir);
        Assert.Equal(2, sampler.ExitCode);
    }

    /// <summary>A dead gateway or Redis address fails the command in seconds (~8 s of retries; the bound
    /// here is loose for a loaded machine), with one line naming it — not after a minute.</summary>
    [Theory]
    [InlineData("--gateway", "cannot join the cluster (127.0.0.1:1)")]
    [InlineData("--redis", "cannot join the cluster (redis 127.0.0.1:1)")]
    public void An_unreachable_cluster_is_a_clear_error_not_a_hang(string option, string message)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string output = Path.Combine(CliRunner.TempDir(), "out");
        var r = CliRunner.Run("run", "--model", Models.Shipped("ring.onnx"), "--samples", "10", option, "127.0.0.1:1", "--out", output);
        Assert.False(Directory.Exists(output), "the failed run left its output directory behind");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"took {clock.Elapsed.TotalSeconds:0} s to fail");
    }

    [Fact]
    public void A_silo_whose_redis_never_answers_is_a_clear_error()
    {
        int[] ports = MemristorGrid.Hosting.EmbeddedCluster.FreePorts(2);
        (int port, int gateway) = (ports[0], ports[1]);
        var r = CliRunner.Run("silo", "--redis", "127.0.0.1:1", "--redis-wait", "1", "--port", $"{port}", "--gateway-port", $"{gateway}", "--health-port", "0");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: Redis at 127.0.0.1:1 did not answer within 1 s", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
