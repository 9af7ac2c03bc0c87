using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Simulation;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid compare</c>: the digital baseline (ONNX Runtime in the paper's Euler loop) and the analog
/// machine on the same model and seed, side by side. The digital time is CPU time (wall time moves with
/// the machine's load), measured twice: batched (throughput) and one sample at a time (latency, like the
/// analog loop's). Digital energy is the package energy counter (Linux powercap/RAPL) when the machine
/// exposes it, else the time × the power of a named platform preset with its source.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var args = new AnalogRunArguments();
        var steps = Make("--steps", "Digital sampler steps from t = 1 to 1e-4.", 1000).Positive();
        var platform = Make("--platform", $"Digital platform the baseline's energy is charged to when no energy counter is readable: {string.Join(", ", DigitalPlatform.Presets.Select(p => p.Name))} (sources in compare.md).", DigitalPlatform.PaperEdge);
        platform.AcceptOnlyFromAmong(DigitalPlatform.Presets.Select(p => p.Name).ToArray());
        var cpuWatts = Optional<double>("--cpu-watts", "Power of one busy CPU core (W); replaces --platform.").PositiveIfSet();
        var latencySamples = Make("--latency-samples", "Fewest samples generated one at a time to measure the digital latency (more until 1 s of CPU time, at most --samples).", 4).Positive();
        var threads = Make("--threads", "ONNX Runtime intra-op threads for the digital baseline.", 1).Positive();
        var command = new Command("compare", "Digital baseline vs. analog machine on the same model and seed: quality, time and energy per sample, speed-up.\nExample: memgrid compare --model models/ring.onnx --profile rram-180nm --samples 2000 --out out/compare");
        var simulator = new AnalogSimulator();
        foreach (var o in args.All().Concat(simulator.All())) command.Options.Add(o);
        command.Options.Add(steps);
        command.Options.Add(platform);
        command.Options.Add(cpuWatts);
        command.Options.Add(latencySamples);
        command.Options.Add(threads);
        command.SetAction(async (parse, cancel) =>
        {
            var r = args.Resolve(parse);
            var digitalOptions = new SamplerOptions
            {
                Kind = r.Options.Kind,
                Steps = parse.GetValue(steps),
                ScheduleScale = r.Options.ScheduleScale,
                GuidanceWeight = r.Options.GuidanceWeight,
                Seed = r.Options.Seed,
                BatchSize = r.Count,
            };
            digitalOptions.ValidateFor(r.Network);

            using var ort = new OnnxRuntimeScoreModel(r.ModelBytes, r.Network, parse.GetValue(threads));
            var chosen = parse.GetValue(cpuWatts) is { } w ? DigitalPlatform.CpuCore(w) : DigitalPlatform.Resolve(parse.GetValue(platform)!);
            var baseline = DigitalBaseline.Measure(ort, r.Network, r.Count, r.Labels, digitalOptions, parse.GetValue(threads), parse.GetValue(latencySamples), chosen, cancel);
            var digital = baseline.Batch;

            cancel.ThrowIfCancellationRequested();
            var (analog, ranOn) = await simulator.RunAsync(parse, r, cancel);
            r = ranOn;
            var analogQuality = RunCommand.Score(r, analog);
            var digitalQuality = r.Reference is { } reference ? QualityReport.Compute(digital.Samples, digital.Labels, digital.Dim, reference.Data) : null;

            int n = r.Count;
            double speedup = baseline.SpeedUp(analog.TimePerSampleSeconds), speedupThroughput = baseline.SpeedUpBatched(analog.TimePerSampleSeconds);
            double energyRatio = baseline.EnergyRatio(analog.EnergyPerSampleJoules), energyRatioBatched = baseline.EnergyRatioBatched(analog.EnergyPerSampleJoules);
            var analogDir = Path.Combine(r.OutDir, "analog");
            RunOutputs.PrepareDirectory(analogDir);
            var analogReport = RunCommand.Report(r, analog, analogQuality);
            var judge = LatentImages.JudgeOf(r.Network.Metadata);
            var analogImages = RunCommand.WriteOutputs(r with { OutDir = analogDir }, analog, analogReport, analogQuality, judge);
            // The digital side's samples and plots, beside the analog run's.
            var digitalDir = Path.Combine(r.OutDir, "digital");
            RunOutputs.PrepareDirectory(digitalDir);
            string digitalTitle = $"{Path.GetFileName(r.ModelPath)} — digital baseline ({(r.Options.Kind == SamplerKind.Ode ? "ode" : "sde")}, {digitalOptions.Steps} steps)";
            var digitalImages = LatentImages.DecodeAndScore(digitalDir, $"{digitalTitle}: decoded latents", judge, digital.Samples, digital.Labels, r.Reference?.Data);
            RunOutputs.WriteSamples(digitalDir, digital.Samples, digital.Dim, digital.Labels, r.Network.ClassNames);
            RunOutputs.WritePng(digitalDir, "samples.png", ScatterPlot.Render(digitalTitle, digital.Samples, digital.Labels, r.Reference?.Data.X ?? [], digital.Dim, r.Network.ClassNames));

            var assumptions = new[]
            {
                $"digital: ONNX Runtime ({parse.GetValue(threads)} thread(s)) in the {(r.Options.Kind == SamplerKind.Ode ? "probability-flow" : "Euler–Maruyama")} Euler loop, {digitalOptions.Steps} steps on this machine",
                $"digital time is CPU time ({(parse.GetValue(threads) == 1 ? "of the thread that runs ONNX Runtime" : "of this process")}; wall time moves with the machine's load): batched = all {n} samples in one batch (throughput); one at a time = {baseline.LatencySamples} sample(s) at batch 1 (latency)",
                "speed-up and energy ratio compare one sample at a time on each side (the analog figure is one closed loop's latency: one machine makes one sample at a time); the batched rows show what a digital batch gains",
                $"digital energy: {baseline.EnergySource}",
                $"analog: profile {r.Profile.Name}; time per sample = reset and initial load + loop settling + RC × diffusion span + readout; energy = integrated cell power + static power × time + converters + DAC updates (docs/hardware-model.md)",
            };
            var json = new JsonObject
            {
                ["kind"] = "compare",
                ["model"] = Path.GetFullPath(r.ModelPath),
                ["profile"] = r.Profile.Name,
                ["samples"] = n,
                ["seed"] = r.Options.Seed,
                ["digital"] = new JsonObject
                {
                    ["steps"] = digitalOptions.Steps,
                    ["kl_paper"] = digitalQuality?.KlPaper,
                    ["class_accuracy"] = digitalQuality?.ClassAccuracy?.Overall,
                    ["decoded_class_accuracy"] = digitalImages?.Quality.Pooled.ClassAccuracy,
                    ["decoded_frechet_distance"] = digitalImages?.Quality.Pooled.FrechetDistance,
                    ["wall_seconds"] = digital.Wall.TotalSeconds,
                    ["cpu_seconds"] = baseline.CpuSeconds,
                    ["cpu_clock"] = baseline.CpuClockName,
                    ["time_per_sample_seconds"] = baseline.ThroughputSeconds,
                    ["wall_per_sample_seconds"] = digital.Wall.TotalSeconds / n,
                    ["latency_seconds"] = baseline.LatencySeconds,
                    ["latency_wall_seconds"] = baseline.LatencyWallSeconds,
                    ["latency_samples"] = baseline.LatencySamples,
                    ["flops_per_sample"] = baseline.FlopsPerSample,
                    ["energy_per_sample_joules"] = baseline.EnergyPerSampleJoules,
                    ["energy_per_sample_batched_joules"] = baseline.EnergyPerSampleBatchedJoules,
                    ["energy_source"] = baseline.Rapl ? "rapl" : "platform",
                    ["platform"] = baseline.Rapl ? null : new JsonObject
                    {
                        ["name"] = chosen.Name,
                        ["description"] = chosen.Description,
                        ["watts"] = chosen.Watts,
                        ["peak_flops"] = chosen.PeakFlops,
                        ["utilisation"] = chosen.IsTimedHere ? null : chosen.Utilisation,
                        ["source"] = chosen.Source,
                    },
                },
                ["analog"] = new JsonObject
                {
                    ["kl_paper"] = analogQuality?.KlPaper,
                    ["class_accuracy"] = analogQuality?.ClassAccuracy?.Overall,
                    ["decoded_class_accuracy"] = analogImages?.Quality.Pooled.ClassAccuracy,
                    ["decoded_frechet_distance"] = analogImages?.Quality.Pooled.FrechetDistance,
                    ["time_per_sample_seconds"] = analog.TimePerSampleSeconds,
                    ["energy_per_sample_joules"] = analog.EnergyPerSampleJoules,
                    ["simulator_wall_seconds"] = analog.Wall.TotalSeconds,
                    ["simulator"] = r.Simulator,
                },
                ["speedup"] = speedup,
                ["speedup_throughput"] = speedupThroughput,
                ["energy_ratio"] = energyRatio,
                ["energy_ratio_batched"] = energyRatioBatched,
                ["assumptions"] = new JsonArray(assumptions.Select(s => (JsonNode)s).ToArray()),
            };
            string digitalColumn = baseline.Rapl ? "digital (this machine, RAPL)" : $"digital ({chosen.Name})";
            string table = Table(r.Profile.Name, digitalColumn, digitalQuality, analogQuality, baseline.LatencySeconds, baseline.ThroughputSeconds, baseline.EnergyPerSampleJoules, baseline.EnergyPerSampleBatchedJoules, analog.TimePerSampleSeconds, analog.EnergyPerSampleJoules,
                speedup, speedupThroughput, energyRatio, energyRatioBatched, digitalImages?.Quality, analogImages?.Quality);
            var md = new StringBuilder();
            md.AppendLine(CultureInfo.InvariantCulture, $"# Digital vs. analog: {Path.GetFileName(r.ModelPath)} on `{r.Profile.Name}`, {n} samples, seed {r.Options.Seed}");
            md.AppendLine();
            md.AppendLine(table);
            md.AppendLine("Assumptions:");
            foreach (var line in assumptions) md.AppendLine($"- {line}");
            RunOutputs.WriteReport(r.OutDir, json, "compare.json");
            RunOutputs.WriteText(r.OutDir, "compare.md", md.ToString());

            var o = parse.InvocationConfiguration.Output;
            o.WriteLine(table);
            o.WriteLine("assumptions:");
            foreach (var line in assumptions) o.WriteLine($"  - {line}");
            o.WriteLine($"wrote {Path.Combine(r.OutDir, "compare.json")}, compare.md, analog/, digital/");
            return 0;
        });
        return command;
    }

    private static string Table(string profile, string digitalColumn, QualityReport? dq, QualityReport? aq, double latency, double throughput, double de, double deBatched, double at, double ae,
        double speedup, double speedupThroughput, double ratio, double ratioBatched, Engine.Latent.ImageQualityReport? di = null, Engine.Latent.ImageQualityReport? ai = null)
    {
        static string I(Engine.Latent.ImageQualityReport? q) => q is null ? "n/a"
            : string.Create(CultureInfo.InvariantCulture, $"accuracy {q.Pooled.ClassAccuracy:F3}, Fréchet distance {q.Pooled.FrechetDistance:F3}");
        static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        static string Q(QualityReport? q) => q is null ? "n/a" : q.ClassAccuracy is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"kl_paper {q.KlPaper:F4}, accuracy {c.Overall:F3}")
            : string.Create(CultureInfo.InvariantCulture, $"kl_paper {q.KlPaper:F4}");
        var sb = new StringBuilder();
        sb.AppendLine($"|  | {digitalColumn} | analog ({profile}) | digital / analog |");
        sb.AppendLine("|---|---|---|---|");
        sb.AppendLine($"| quality | {Q(dq)} | {Q(aq)} |  |");
        if (di is not null || ai is not null) sb.AppendLine($"| decoded images | {I(di)} | {I(ai)} |  |");
        sb.AppendLine($"| time per sample, one at a time (latency; CPU time) | {Units.Time(latency)} | {Units.Time(at)} | speed-up {G(speedup)}× |");
        sb.AppendLine($"| time per sample, batched (throughput; CPU time) | {Units.Time(throughput)} | {Units.Time(at)} | {G(speedupThroughput)}× |");
        sb.AppendLine($"| energy per sample, one at a time | {Units.Energy(de)} | {Units.Energy(ae)} | {G(ratio)}× |");
        sb.AppendLine($"| energy per sample, batched | {Units.Energy(deBatched)} | {Units.Energy(ae)} | {G(ratioBatched)}× |");
        return sb.ToString();
    }
}
