using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Metrics;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid compare</c>: the digital baseline (ONNX Runtime in the paper's Euler loop) and the analog
/// machine on the same model and seed, side by side. Digital energy is the package energy counter
/// (Linux powercap/RAPL) when the machine exposes it, else measured CPU time × a stated power per core.
/// </summary>
internal static class CompareCommand
{
    private const string RaplCounter = "/sys/class/powercap/intel-rapl:0/energy_uj";

    public static Command Create()
    {
        var args = new AnalogRunArguments();
        var steps = Make("--steps", "Digital sampler steps from t = 1 to 1e-4.", 1000).Positive();
        var cpuWatts = Make("--cpu-watts", "Power of one busy CPU core (W) when no energy counter is readable; default 7.5 W ≈ a 205 W, 28-core Xeon package per core.", 7.5).Positive();
        var threads = Make("--threads", "ONNX Runtime intra-op threads for the digital baseline.", 1).Positive();
        var command = new Command("compare", "Digital baseline vs. analog machine on the same model and seed: quality, time and energy per sample, speed-up.");
        var simulator = new AnalogSimulator();
        foreach (var o in args.All().Concat(simulator.All())) command.Options.Add(o);
        command.Options.Add(steps);
        command.Options.Add(cpuWatts);
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
            long? raplBefore = ReadRapl();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var digital = ConsoleProgress.Run($"digital baseline × {digitalOptions.Steps} steps", p =>
                DigitalSampler.Sample(ort, r.Network.Metadata.CreateSde(), r.Count, r.Labels, digitalOptions, p));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            long? raplAfter = ReadRapl();
            double watts = parse.GetValue(cpuWatts);
            bool rapl = raplBefore is { } b && raplAfter is { } a && a >= b;
            double digitalJoules = rapl ? (raplAfter!.Value - raplBefore!.Value) * 1e-6 : cpu.TotalSeconds * watts;

            cancel.ThrowIfCancellationRequested();
            var (analog, ranOn) = await simulator.RunAsync(parse, r, cancel);
            r = ranOn;
            var analogQuality = RunCommand.Score(r, analog);
            var digitalQuality = r.Reference is { } reference ? QualityReport.Compute(digital.Samples, digital.Labels, digital.Dim, reference.Data) : null;

            int n = r.Count;
            double digitalTime = digital.Wall.TotalSeconds / n, digitalEnergy = digitalJoules / n;
            double speedup = digitalTime / analog.TimePerSampleSeconds;
            double energyRatio = digitalEnergy / analog.EnergyPerSampleJoules;
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

            string energySource = rapl ? $"package energy counter ({RaplCounter})" : $"CPU time {cpu.TotalSeconds:F2} s × {watts} W per core";
            var assumptions = new[]
            {
                $"digital: ONNX Runtime ({parse.GetValue(threads)} thread(s)) in the {(r.Options.Kind == SamplerKind.Ode ? "probability-flow" : "Euler–Maruyama")} Euler loop, {digitalOptions.Steps} steps, all {n} samples in one batch; time per sample = wall time / samples on this machine",
                $"digital energy: {energySource}",
                $"analog: profile {r.Profile.Name}; time per sample = loop settling + RC × diffusion span + readout; energy = integrated cell power + static power × time + converters + DAC updates (docs/hardware-model.md)",
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
                    ["cpu_seconds"] = cpu.TotalSeconds,
                    ["time_per_sample_seconds"] = digitalTime,
                    ["energy_per_sample_joules"] = digitalEnergy,
                    ["energy_source"] = rapl ? "rapl" : "cpu-time",
                    ["cpu_watts_per_core"] = rapl ? null : watts,
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
                ["energy_ratio"] = energyRatio,
                ["assumptions"] = new JsonArray(assumptions.Select(s => (JsonNode)s).ToArray()),
            };
            string table = Table(r.Profile.Name, digitalQuality, analogQuality, digitalTime, digitalEnergy, analog.TimePerSampleSeconds, analog.EnergyPerSampleJoules, speedup, energyRatio,
                digitalImages?.Quality, analogImages?.Quality);
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

    private static string Table(string profile, QualityReport? dq, QualityReport? aq, double dt, double de, double at, double ae, double speedup, double ratio,
        Engine.Latent.ImageQualityReport? di = null, Engine.Latent.ImageQualityReport? ai = null)
    {
        static string I(Engine.Latent.ImageQualityReport? q) => q is null ? "n/a"
            : string.Create(CultureInfo.InvariantCulture, $"accuracy {q.Pooled.ClassAccuracy:F3}, Fréchet distance {q.Pooled.FrechetDistance:F3}");
        static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        static string Q(QualityReport? q) => q is null ? "n/a" : q.ClassAccuracy is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"kl_paper {q.KlPaper:F4}, accuracy {c.Overall:F3}")
            : string.Create(CultureInfo.InvariantCulture, $"kl_paper {q.KlPaper:F4}");
        var sb = new StringBuilder();
        sb.AppendLine($"|  | digital (this CPU) | analog ({profile}) | digital / analog |");
        sb.AppendLine("|---|---|---|---|");
        sb.AppendLine($"| quality | {Q(dq)} | {Q(aq)} |  |");
        if (di is not null || ai is not null) sb.AppendLine($"| decoded images | {I(di)} | {I(ai)} |  |");
        sb.AppendLine($"| time per sample | {Units.Time(dt)} | {Units.Time(at)} | speed-up {G(speedup)}× |");
        sb.AppendLine($"| energy per sample | {Units.Energy(de)} | {Units.Energy(ae)} | {G(ratio)}× |");
        return sb.ToString();
    }

    private static long? ReadRapl()
    {
        try { return File.Exists(RaplCounter) ? long.Parse(File.ReadAllText(RaplCounter).Trim(), CultureInfo.InvariantCulture) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }
}
