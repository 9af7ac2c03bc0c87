using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Crossbars;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>Options shared by <c>memgrid run</c> and <c>memgrid compare</c>.</summary>
internal sealed class AnalogRunArguments
{
    public readonly Option<string> Model = Required("--model", "Score network (.onnx).");
    public readonly Option<string> Output = Required("--out", "Output directory.");
    public readonly Option<string> Profile = Make("--profile", $"Hardware profile: {string.Join(", ", HardwareProfile.Presets)} or PATH.json.", "rram-180nm");
    public readonly Option<int> Samples = Make("--samples", "Samples to generate; per label for conditional models (3 labels × --samples 4000 = 12 000 samples).", 10_000).Positive();
    public readonly Option<string> Sampler = Make("--sampler", "ode (probability-flow, Dormand–Prince) or sde (reverse SDE with injected noise).", "ode");
    public readonly Option<string?> Labels = new("--labels") { Description = "Classes to generate, comma-separated names or indices (default: all classes of a conditional model)." };
    public readonly Option<float> Guidance = Make("--guidance", "Classifier-free guidance weight w (a second network pass per evaluation).", 0f).NonNegative();
    public readonly Option<double?> ScheduleScale = Optional<double>("--schedule-scale", "β scale for sampling (default: the model's metadata).").PositiveIfSet();
    public readonly Option<ulong> Seed = Make<ulong>("--seed", "Seed of the prior, read noise and SDE noise.", 1);
    public readonly Option<ulong?> ProgramSeed = Optional<ulong>("--program-seed", "Seed of the chip: programming noise, faults, offsets (default: --seed).");
    public readonly Option<string?> ReferenceData = Commands.ReferenceData.Create();
    public readonly Option<int?> LaneSize = Optional<int>("--lane-size", "Samples integrated together in one lane (default: enough lanes for every lane slot, at most 500 each). Samples do not depend on it.").PositiveIfSet();
    public readonly Option<double> Rtol = Make("--rtol", "Relative tolerance of the adaptive ODE solver (per coordinate |err| ≤ atol + rtol·|x|); it alone decides the ODE's work with a continuous controller.", 1e-4).Positive();
    public readonly Option<double> Atol = Make("--atol", "Absolute tolerance of the adaptive ODE solver.", 1e-5).Positive();
    public readonly Option<int> ContinuousSegments = Make("--continuous-segments", "With a continuous controller (update period 0): slices the run is cut into — the SDE's step grid (--substeps per slice); for the ODE only checkpoints, which its steps cross (samples do not depend on them).", 100).Positive();
    public readonly Option<string> SdeScheme = Make("--sde-scheme", "SDE integrator: sra1 (Rößler, strong order 1.5 for additive noise) or em (Euler–Maruyama).", "sra1");
    public readonly Option<int> Substeps = Make("--substeps", "SDE steps per controller update period (or per --continuous-segments slice).", 10).Positive();
    public readonly Option<double> EndTime = Make("--end-time", "Diffusion time τ where the analog run stops (from τ = 1). Below 0 continues past the end of the schedule, as the demo board does (to −0.2).", 1e-4);
    public readonly ScheduleOptions Schedule = new();
    public readonly Option<string?> BaselineReport = new("--baseline-report") { Description = "A digital baseline's report.json (from memgrid baseline): report.md then opens with digital against analog." };
    public readonly Option<double?> DeviceAge = Optional<double>("--device-age", "Seconds since programming (overrides the profile's device.drift.age_seconds).");
    public readonly Option<string> Decoder = Make("--decoder", "Latent models: decode the generated latents with onnx (ONNX Runtime) or analog (the VAE decoder programmed onto crossbar tiles of --profile as well).", LatentImages.Decoder.Onnx);

    public AnalogRunArguments()
    {
        Sampler.AcceptOnlyFromAmong("sde", "ode");
        SdeScheme.AcceptOnlyFromAmong("sra1", "em");
        Decoder.AcceptOnlyFromAmong(LatentImages.Decoder.Onnx, LatentImages.Decoder.Analog);
        DeviceAge.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is < 0) r.AddError("--device-age must be ≥ 0"); });
    }

    public IEnumerable<Option> All() =>
        [Model, Output, Profile, Samples, Sampler, Labels, Guidance, ScheduleScale, Seed, ProgramSeed, ReferenceData, LaneSize, Rtol, Atol, ContinuousSegments, SdeScheme, Substeps, EndTime, DeviceAge, Decoder, BaselineReport, .. Schedule.All()];

    public sealed record Resolved(string ModelPath, byte[] ModelBytes, ScoreNetwork Network, HardwareProfile Profile, string ProfileName,
        AnalogRunOptions Options, int Count, int[] Labels, (Dataset Data, string Name)? Reference, string OutDir)
    {
        /// <summary>Which engine produced the run: reference, embedded-silo or cluster.</summary>
        public string Simulator { get; init; } = "reference";

        /// <summary>Where the cluster ran the tiles: local (each lane's silo) or chips.</summary>
        public string Placement { get; init; } = "local";

        /// <summary>The digital baseline's report.json to set the run beside, if given.</summary>
        public JsonObject? Baseline { get; init; }

        /// <summary>How a latent model's samples are decoded: onnx or analog.</summary>
        public string DecoderKind { get; init; } = LatentImages.Decoder.Onnx;
    }

    public Resolved Resolve(ParseResult parse)
    {
        string modelPath = parse.GetValue(Model)!;
        var (bytes, net, _) = Schedule.Load(parse, modelPath, parse.GetValue(ScheduleScale));
        string profileName = parse.GetValue(Profile)!;
        var profile = HardwareProfile.Resolve(profileName);
        if (parse.GetValue(DeviceAge) is { } age)
            profile = profile with { Device = profile.Device with { Drift = profile.Device.Drift with { AgeSeconds = age } } };
        int perLabel = parse.GetValue(Samples);
        MemoryBudget.RequireSamples((long)perLabel * Math.Max(1, net.ClassCount), net.InputDim, "samples");
        int[] labels = LabelEncoder.LabelsFor(net, parse.GetValue(Labels), perLabel);
        int count = labels.Length > 0 ? labels.Length : perLabel;
        ulong seed = parse.GetValue(Seed);
        var options = new AnalogRunOptions
        {
            Kind = parse.GetValue(Sampler) == "sde" ? SamplerKind.Sde : SamplerKind.Ode,
            ScheduleScale = parse.GetValue(ScheduleScale) ?? net.Metadata.SamplingScheduleScale,
            GuidanceWeight = parse.GetValue(Guidance),
            Seed = seed,
            ProgramSeed = parse.GetValue(ProgramSeed) ?? seed,
            LaneSize = parse.GetValue(LaneSize) ?? 0,
            RelativeTolerance = parse.GetValue(Rtol),
            AbsoluteTolerance = parse.GetValue(Atol),
            SdeScheme = parse.GetValue(SdeScheme) == "em" ? Engine.Simulation.SdeScheme.EulerMaruyama : Engine.Simulation.SdeScheme.Sra1,
            Substeps = parse.GetValue(Substeps),
            ContinuousSegments = parse.GetValue(ContinuousSegments),
            EndTime = parse.GetValue(EndTime),
        };
        options.ValidateFor(net);
        LoopTiming.Require(net, profile);
        LaneDriver.RequireNoiseDefined(net, profile, options);
        var error = parse.InvocationConfiguration.Error;
        var reference = ReferenceResolver.Resolve(parse.GetValue(ReferenceData), net.Metadata, seed, Math.Max(count, 10_000), m => error.WriteLine(m));
        if (reference is null) error.WriteLine("warning: the model names no training task and no --reference-data was given; quality metrics are omitted");
        string decoder = parse.GetValue(Decoder)!;
        if (decoder == LatentImages.Decoder.Analog && LatentImages.VaePathOf(net.Metadata) is null)
            throw UserInputException.ForSetting("decoder", $"analog needs a latent model (trained with --task latent:VAE.onnx); {Path.GetFileName(modelPath)} has no VAE");
        string outDir = parse.GetValue(Output)!;
        JsonObject? baseline = null;
        if (parse.GetValue(BaselineReport) is { } baselinePath)
        {
            try { baseline = JsonNode.Parse(File.ReadAllText(baselinePath))?.AsObject(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
            { throw UserInputException.ForSetting("baseline-report", $"{baselinePath}: not a readable report.json ({e.Message})"); }
            if (baseline?["kind"]?.GetValue<string>() != "baseline")
                throw UserInputException.ForSetting("baseline-report", $"{baselinePath} is not a report of memgrid baseline");
        }
        RunOutputs.PrepareDirectory(outDir);
        return new Resolved(modelPath, bytes, net, profile, profileName, options, count, labels, reference, outDir) { DecoderKind = decoder, Baseline = baseline };
    }
}

/// <summary><c>memgrid run</c>: generate samples on the simulated analog machine.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var args = new AnalogRunArguments();
        var simulator = new AnalogSimulator();
        var command = new Command("run", "Program the model onto a simulated RRAM deployment and generate samples by analog-time integration on the grain cluster (an embedded silo unless --gateway or --redis is given).\nExample: memgrid run --model models/ring.onnx --profile rram-180nm --samples 10000 --out out/ring");
        foreach (var o in args.All().Concat(simulator.All())) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var (result, r) = await simulator.RunAsync(parse, args.Resolve(parse), cancel);
            var quality = Score(r, result);
            var report = Report(r, result, quality);
            var images = WriteOutputs(r, result, report, quality, LatentImages.JudgeOf(r.Network.Metadata));
            var o = parse.InvocationConfiguration.Output;
            if (images is null) o.Write(PerClassQuality.Lines(quality));
            o.WriteLine(Summary(r, result, quality));
            if (images is not null) o.WriteLine(LatentImages.Summary(images));
            o.WriteLine($"wrote {Path.Combine(r.OutDir, "samples.csv")}, report.json, report.md, samples.png, tiles.png{(images is not null ? ", images.png" : "")}");
            return 0;
        });
        return command;
    }

    public static AnalogRunResult Simulate(AnalogRunArguments.Resolved r, CancellationToken cancel = default) =>
        ConsoleProgress.Run($"analog {r.Options.Kind.ToString().ToLowerInvariant()} on {r.Profile.Name}", progress =>
            ReferenceSimulator.Run(r.Network, r.Profile, r.Options, r.Count, r.Labels, progress, cancel), new ConsoleProgress.Work(r.Count, "samples"));

    public static QualityReport? Score(AnalogRunArguments.Resolved r, AnalogRunResult result) =>
        r.Reference is { } reference ? QualityReport.Compute(result.Samples, result.Labels, result.Dim, reference.Data) : null;

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    public static JsonObject Report(AnalogRunArguments.Resolved r, AnalogRunResult result, QualityReport? quality)
    {
        var o = r.Options;
        var report = new JsonObject
        {
            ["kind"] = "analog",
            ["simulator"] = r.Simulator,
            ["model"] = Path.GetFullPath(r.ModelPath),
            ["profile"] = r.Profile.Name,
            ["profile_source"] = HardwareProfile.Presets.Contains(r.ProfileName) ? "preset" : Path.GetFullPath(r.ProfileName),
            ["sampler"] = o.Kind == SamplerKind.Ode ? "ode" : "sde",
            ["solver"] = o.Kind == SamplerKind.Ode ? "dormand-prince-5(4)" : (o.SdeScheme == SdeScheme.Sra1 ? "sra1" : "euler-maruyama"),
            ["samples"] = result.Samples.Length / result.Dim,
            ["schedule_scale"] = o.ScheduleScale,
            ["guidance"] = o.GuidanceWeight,
            ["seed"] = o.Seed,
            ["program_seed"] = o.ProgramSeed,
            ["lane_size"] = result.LaneSize,
            ["placement"] = r.Simulator == "reference" ? null : r.Placement,
            ["rtol"] = o.RelativeTolerance,
            ["atol"] = o.AbsoluteTolerance,
            ["continuous_segments"] = o.ContinuousSegments,
            ["reference"] = r.Reference?.Name,
            ["kl_paper"] = quality?.KlPaper,
            ["kl_2d"] = quality?.Kl2D,
            ["energy_distance"] = quality?.EnergyDistance,
            ["wall_seconds"] = result.Wall.TotalSeconds,
            ["seconds_per_sample"] = result.Wall.TotalSeconds / (result.Samples.Length / result.Dim),
            ["energy_per_sample_joules"] = result.EnergyPerSampleJoules,
            ["time_per_sample_seconds"] = result.TimePerSampleSeconds,
            ["generation_seconds"] = result.GenerationSeconds,
            ["loop_delay_seconds"] = result.LoopDelaySeconds,
            ["reset_seconds"] = r.Profile.Integrator.ResetSeconds,
            ["opamp_power_watts"] = new JsonObject
            {
                ["tia"] = r.Profile.TiaPowerWatts,
                ["activation"] = r.Profile.ActivationPowerWatts,
                ["integrator"] = r.Profile.IntegratorPowerWatts,
                ["basis"] = r.Profile.Opamp.IsBandwidthModel ? "bandwidth" : "explicit",
            },
            ["controller_updates"] = result.ControllerUpdates,
            ["network_evaluations"] = result.Counters.NetworkEvaluations,
            ["network_evaluations_per_lane"] = (double)result.Counters.NetworkEvaluations / result.Lanes,
            ["network_evaluations_per_sample"] = (double)result.Counters.SampleEvaluations / result.SampleCount,
            ["lanes"] = result.Lanes,
            ["accepted_steps"] = result.Counters.AcceptedSteps,
            ["rejected_steps"] = result.Counters.RejectedSteps,
            ["tile_input_overflows"] = result.Counters.InputOverflows,
            ["saturated_tile_outputs"] = result.Counters.SaturatedOutputs,
            ["embedding_dac_overflows"] = result.Counters.EmbeddingOverflows,
            ["embedding_dac_overflow_fraction"] = result.Counters.EmbeddingValues > 0 ? (double)result.Counters.EmbeddingOverflows / result.Counters.EmbeddingValues : 0,
            ["integrator_rail_clips"] = result.Counters.IntegratorClips,
            ["score_adc_overflows"] = result.Counters.ScoreAdcOverflows,
            ["tile_adc_overflows"] = result.Counters.TileAdcOverflows,
            ["lane_retries"] = result.LaneRetries,
        };
        if (r.Labels.Length > 0)
        {
            report["labels"] = new JsonArray(r.Labels.Distinct().Select(l => (JsonNode)r.Network.ClassNames[l]).ToArray());
            if (quality?.ClassAccuracy is { } acc)
            {
                report["class_accuracy"] = acc.Overall;
                var perClass = new JsonObject();
                foreach (var (name, value) in acc.PerClass) perClass[name] = value;
                report["class_accuracy_per_class"] = perClass;
            }
        }
        PerClassQuality.AddTo(report, quality);
        var breakdown = new JsonObject();
        foreach (var (name, joules) in result.Energy.Components) breakdown[name] = joules;
        report["energy_breakdown_joules"] = breakdown;
        report["energy_basis"] = EnergyBasis(r.Profile, result);
        report["energy_total_joules"] = result.TotalEnergyJoules;
        report["tiles"] = new JsonArray(result.Tiles.Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id,
            ["layer"] = t.Layer,
            ["chip"] = t.Chip,
            ["energy_joules"] = t.EnergyJoules,
            ["cell_energy_joules"] = t.CellEnergyJoules,
            ["tia_energy_joules"] = t.TiaEnergyJoules,
            ["converter_energy_joules"] = t.ConverterEnergyJoules,
            ["link_energy_joules"] = t.LinkEnergyJoules,
            ["mvm_count"] = t.MvmCount,
            ["adc_conversions"] = t.AdcConversions,
            ["simulated_latency_seconds"] = t.SimulatedLatencySeconds,
        }).ToArray());
        report["program"] = ProgramSection(r);
        var layers = LayerRollup.Of(r.Network, r.Profile.Mapping, result);
        report["layers"] = new JsonArray(layers.Select(l => (JsonNode)new JsonObject
        {
            ["layer"] = l.Layer, ["tiles"] = l.Tiles, ["chips"] = l.Chips, ["used_devices"] = l.UsedDevices, ["tile_devices"] = l.TileDevices,
            ["utilisation"] = l.Utilisation, ["mvms"] = l.Mvms, ["ops"] = l.Ops, ["tile_energy_joules"] = l.TileJoules, ["ops_per_joule"] = l.OpsPerJoule,
        }).ToArray());
        report["array_utilisation"] = layers.Sum(l => (double)l.UsedDevices) / layers.Sum(l => (double)l.TileDevices);
        report["ops_per_joule"] = layers.Sum(l => l.Ops) / Math.Max(result.TotalEnergyJoules, double.Epsilon);
        report["links"] = new JsonArray(result.Links.Select(l => (JsonNode)new JsonObject
        {
            ["from_chip"] = l.From,
            ["to_chip"] = l.To,
            ["signals"] = l.Signals,
            ["bits"] = l.Bits,
            ["energy_joules"] = l.EnergyJoules,
        }).ToArray());
        return report;
    }

    /// <summary>How much of the energy rests on sourced figures and how much on assumptions (the profile's <c>energy_sources</c>).</summary>
    private static JsonObject EnergyBasis(HardwareProfile profile, AnalogRunResult result)
    {
        double total = result.TotalEnergyJoules, sourced = result.Energy.Components.Where(c => profile.EnergySources.ContainsKey(c.Key)).Sum(c => c.Joules);
        return new JsonObject
        {
            ["sourced_share"] = total > 0 ? sourced / total : 0,
            ["assumed_share"] = total > 0 ? 1 - sourced / total : 0,
            ["sourced_components"] = new JsonObject(profile.EnergySources.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        };
    }

    /// <summary>What programming the score network's tiles under the run's chip seed took and left (the same pure
    /// function the tiles ran with). The analog decoder's tiles, when used, are not in it.</summary>
    private static JsonObject ProgramSection(AnalogRunArguments.Resolved r)
    {
        var stats = ProgrammingStats.ForDeployment(r.Network, r.Profile, r.Options.ProgramSeed);
        var wv = r.Profile.Device.WriteVerify;
        double window = (r.Profile.Device.GMaxMicrosiemens - r.Profile.Device.GMinMicrosiemens) * 1e-6;
        return new JsonObject
        {
            ["method"] = wv is null ? "single-write" : "write-verify",
            ["devices"] = stats.Devices,
            ["pulses"] = stats.Pulses,
            ["mean_pulses_per_device"] = stats.MeanPulses,
            ["max_pulses_on_one_device"] = stats.MaxPulsesOnOneDevice,
            ["verified_devices"] = wv is null ? null : stats.Verified,
            ["not_verified_devices"] = wv is null ? null : stats.NotVerified,
            ["tolerance_microsiemens"] = wv?.ToleranceMicrosiemens,
            ["rms_error_microsiemens"] = stats.RmsErrorSiemens * 1e6,
            ["rms_error_fraction_of_window"] = stats.RmsErrorSiemens / window,
            ["cell_energy_joules"] = wv is null ? null : stats.EnergyJoules,
            ["serial_seconds"] = wv is null ? null : stats.SerialSeconds,
        };
    }

    /// <summary>Writes the run's files; for a latent model also images.png, whose metrics join the report (and are returned).</summary>
    public static LatentImages.Decoded? WriteOutputs(AnalogRunArguments.Resolved r, AnalogRunResult result, JsonObject report, QualityReport? quality, Engine.Latent.ImageJudge? judge)
    {
        long samples = result.Samples.Length / result.Dim;
        string title = $"{Path.GetFileName(r.ModelPath)} — analog {report["sampler"]} on {r.Profile.Name}";
        var images = LatentImages.DecodeAndScore(r.OutDir, $"{title}: decoded latents", judge, result.Samples, result.Labels, r.Reference?.Data,
            new LatentImages.Decoder(r.DecoderKind, r.Profile, r.Options.ProgramSeed, r.Options.Seed));
        if (images is not null) LatentImages.AddTo(report, images);
        byte[] scatter = ScatterPlot.Render(title,
            result.Samples, result.Labels, r.Reference?.Data.X ?? [], result.Dim, r.Network.ClassNames);
        byte[] tiles = TileEnergyPlot.Render($"energy per sample — {r.Profile.Name}, {Units.Energy(result.EnergyPerSampleJoules)} in total", result);
        RunOutputs.WriteSamples(r.OutDir, result.Samples, result.Dim, result.Labels, r.Network.ClassNames);
        RunOutputs.WriteReport(r.OutDir, report);
        RunOutputs.WriteText(r.OutDir, "report.md", Markdown(r, result, quality, images, report));
        RunOutputs.WritePng(r.OutDir, "samples.png", scatter);
        RunOutputs.WritePng(r.OutDir, "tiles.png", tiles);
        return images;
    }

    /// <summary>"4000 samples", or for a conditional run "3 classes × 4000 = 12000 samples" (--samples counts per label).</summary>
    public static string SampleCount(long total, int[] labels)
    {
        int classes = labels.Distinct().Count();
        return classes > 1 ? string.Create(CultureInfo.InvariantCulture, $"{classes} classes × {total / classes} = {total} samples") : $"{total} samples";
    }

    public static string Summary(AnalogRunArguments.Resolved r, AnalogRunResult result, QualityReport? quality)
    {
        var sb = new StringBuilder();
        long n = result.Samples.Length / result.Dim;
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"{SampleCount(n, r.Labels)} on {r.Profile.Name} ({result.Tiles.Count} tiles, {result.Tiles.Select(t => t.Chip).Distinct().Count()} chip(s)) in {result.Wall.TotalSeconds:F2} s wall; {result.Counters.NetworkEvaluations} lane network evaluations");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"simulated: {Units.Time(result.TimePerSampleSeconds)} and {Units.Energy(result.EnergyPerSampleJoules)} per sample");
        if (result.Counters.TileAdcOverflows > 0)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"warning: ADCs between chips clipped {result.Counters.TileAdcOverflows} signals inside the network at their full scale (report.json: tile_adc_overflows)");
        if (result.Counters.ScoreAdcOverflows > 0)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"warning: the ADC clipped {result.Counters.ScoreAdcOverflows} score values at its full scale (±{r.Profile.Adc.FullScaleVolts:G3} V) on their way to the integrators (report.json: score_adc_overflows)");
        if (quality is not null)
        {
            string accuracy = quality.ClassAccuracy is { } a ? string.Create(CultureInfo.InvariantCulture, $"  class_accuracy {a.Overall:F4}") : "";
            sb.Append(CultureInfo.InvariantCulture, $"kl_paper {quality.KlPaper:F5}  kl_2d {quality.Kl2D:F4}  energy_distance {quality.EnergyDistance:F5}{accuracy}");
        }
        return sb.ToString().TrimEnd();
    }

    private static string Markdown(AnalogRunArguments.Resolved r, AnalogRunResult result, QualityReport? quality, LatentImages.Decoded? images, JsonObject report)
    {
        var program = report["program"]!.AsObject();
        var inv = CultureInfo.InvariantCulture;
        long n = result.Samples.Length / result.Dim;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Analog run: {Path.GetFileName(r.ModelPath)} on `{r.Profile.Name}`");
        sb.AppendLine();
        sb.AppendLine(inv, $"{n} samples, {(r.Options.Kind == SamplerKind.Ode ? "probability-flow ODE (Dormand–Prince 5(4))" : $"reverse SDE ({r.Options.SdeScheme})")}, seed {r.Options.Seed}, chip seed {r.Options.ProgramSeed}, schedule scale {F(r.Options.ScheduleScale)}.");
        sb.AppendLine();
        if (r.Baseline is { } b && quality is not null)
        {
            double dk = (double)b["kl_paper"]!;
            string accuracy = b["class_accuracy"] is { } bc && quality.ClassAccuracy is { } qa
                ? string.Create(inv, $"; class accuracy {(double)bc:F3} digital, {qa.Overall:F3} analog.") : ".";
            string summary = string.Create(inv, $"**Digital against analog.** The digital baseline ({b["steps"]} {b["sampler"]} steps in ONNX Runtime) reached kl_paper {dk:F4}; this run {quality.KlPaper:F4}, {quality.KlPaper / dk:G3}× the digital figure");
            sb.AppendLine(summary + accuracy);
            sb.AppendLine();
        }
        if (quality is not null)
        {
            sb.AppendLine("| quality | value | what it measures |\n|---|---|---|");
            sb.AppendLine(inv, $"| kl_paper | {quality.KlPaper:F5} | the paper's KL divergence: all coordinates in one 50-bin histogram on [−4, 4], generated against reference (0 = same; lower is better) |");
            sb.AppendLine(inv, $"| kl_2d | {quality.Kl2D:F4} | KL divergence of the joint 2-D histogram of x1, x2 (sees shape, not only marginals) |");
            sb.AppendLine(inv, $"| energy distance | {quality.EnergyDistance:F5} | a distance between the two point sets with no binning (0 = same distribution) |");
            if (quality.ClassAccuracy is { } a) sb.AppendLine(inv, $"| class accuracy | {a.Overall:F4} | share of samples a nearest-neighbour classifier on the reference assigns to the class they were generated for |");
            sb.AppendLine();
            if (quality.PerClass.Count > 0) sb.AppendLine(PerClassQuality.Markdown(quality));
        }
        if (images is not null)
        {
            sb.AppendLine(LatentImages.Markdown(images));
        }
        sb.AppendLine("| simulated hardware | value |\n|---|---|");
        sb.AppendLine(inv, $"| time per sample | {Units.Time(result.TimePerSampleSeconds)} (reset and initial load {Units.Time(r.Profile.Integrator.ResetSeconds)}, loop settling {Units.Time(result.LoopDelaySeconds)}, integration {Units.Time(result.GenerationSeconds)}, readout {Units.Time(r.Profile.Adc.ConversionSeconds)}) |");
        string powerBasis = r.Profile.Opamp.PowerPerBandwidthWattsPerHertz is { } k
            ? string.Create(inv, $"from the bandwidth each needs × {k * 1e12:G3} µW/MHz")
            : "as the profile states them";
        sb.AppendLine(inv, $"| op-amp static power: TIA / activation / integrator | {Units.Power(r.Profile.TiaPowerWatts)} / {Units.Power(r.Profile.ActivationPowerWatts)} / {Units.Power(r.Profile.IntegratorPowerWatts)} ({powerBasis}) |");
        sb.AppendLine(inv, $"| energy per sample | {Units.Energy(result.EnergyPerSampleJoules)} |");
        var c = result.Counters;
        sb.AppendLine(inv, $"| controller updates per sample | {(result.ControllerUpdates > 0 ? result.ControllerUpdates.ToString(inv) : "continuous")} |");
        sb.AppendLine(inv, $"| network evaluations per sample | {(double)c.SampleEvaluations / result.SampleCount:F1} ({c.NetworkEvaluations} lane passes over {result.Lanes} lanes) |");
        sb.AppendLine(inv, $"| solver steps accepted / rejected | {c.AcceptedSteps} / {c.RejectedSteps} |");
        sb.AppendLine(inv, $"| saturated tile outputs | {c.SaturatedOutputs} |");
        sb.AppendLine(inv, $"| embedding DAC overflows | {c.EmbeddingOverflows} of {c.EmbeddingValues} channel updates |");
        sb.AppendLine(inv, $"| integrator rail clips | {c.IntegratorClips} |");
        sb.AppendLine(inv, $"| score values clipped by the ADC before the integrators | {c.ScoreAdcOverflows} |");
        sb.AppendLine(inv, $"| signals clipped by ADCs between chips inside the network | {c.TileAdcOverflows} |");
        sb.AppendLine(inv, $"| simulator wall time | {result.Wall.TotalSeconds:F2} s |");
        sb.AppendLine();
        // The roll-up as report.json has it (computed once, in Report).
        var layers = report["layers"]!.AsArray().Select(l => l!.AsObject()).ToList();
        double Sum(string key) => layers.Sum(l => double.Parse(l[key]!.ToJsonString(), inv)); // integers and doubles alike
        sb.AppendLine("| layer | tiles | chips | devices used / in its tiles (utilisation) | MVMs | ops per sample | tile energy per sample | ops per joule (tiles) |\n|---|---|---|---|---|---|---|---|");
        foreach (var l in layers)
            sb.AppendLine(inv, $"| {(int)l["layer"]!} | {(int)l["tiles"]!} | {(int)l["chips"]!} | {(long)l["used_devices"]!} / {(long)l["tile_devices"]!} ({(double)l["utilisation"]!:P1}) | {(long)l["mvms"]!} | {(double)l["ops"]! / n:G4} | {Units.Energy((double)l["tile_energy_joules"]! / n)} | {(double)l["ops_per_joule"]!:G3} |");
        sb.AppendLine(inv, $"| all | {Sum("tiles")} | {result.Tiles.Select(t => t.Chip).Distinct().Count()} | {Sum("used_devices")} / {Sum("tile_devices")} ({(double)report["array_utilisation"]!:P1}) | {Sum("mvms")} | {Sum("ops") / n:G4} | {Units.Energy(Sum("tile_energy_joules") / n)} | {(double)report["ops_per_joule"]!:G3} (whole machine) |");
        sb.AppendLine();
        sb.AppendLine("An op is a multiply or an add of a matrix–vector product in the crossbars (2 per cell per MVM); utilisation counts the device pairs the weights use against those of the tiles they occupy.");
        sb.AppendLine();
        sb.AppendLine("| programming the chip (once per deployment, before drift) | value |\n|---|---|");
        if ((string?)program["method"] == "write-verify")
        {
            sb.AppendLine(inv, $"| method | write-verify, ±{(double)program["tolerance_microsiemens"]!:G3} µS |");
            sb.AppendLine(inv, $"| devices verified / not verified | {(long)program["verified_devices"]!} / {(long)program["not_verified_devices"]!} of {(long)program["devices"]!} |");
            sb.AppendLine(inv, $"| pulses: mean / most on one device | {(double)program["mean_pulses_per_device"]!:F2} / {(int)program["max_pulses_on_one_device"]!} |");
            sb.AppendLine(inv, $"| cell energy of the pulses and verify reads | {Units.Energy((double)program["cell_energy_joules"]!)} |");
            sb.AppendLine(inv, $"| time, one device after another | {Units.Time((double)program["serial_seconds"]!)} |");
        }
        else sb.AppendLine(inv, $"| method | one unverified write per device ({(long)program["devices"]!} devices) |");
        sb.AppendLine(inv, $"| remaining error against the targets (RMS) | {(double)program["rms_error_microsiemens"]!:G3} µS = {(double)program["rms_error_fraction_of_window"]!:P2} of the window |");
        sb.AppendLine();
        double total = result.TotalEnergyJoules;
        var (perSample, prefix) = Units.PrefixFor(total / n);
        sb.AppendLine($"| energy per sample by component | {prefix}J | share | basis |\n|---|---|---|---|");
        foreach (var (name, joules) in result.Energy.Components)
            sb.AppendLine(inv, $"| {name} | {F(joules / n / perSample)} | {(total > 0 ? joules / total : 0):P1} | {(r.Profile.EnergySources.ContainsKey(name) ? "sourced" : "assumption")} |");
        var basis = report["energy_basis"]!;
        sb.AppendLine();
        sb.AppendLine(inv, $"{(double)basis["sourced_share"]!:P2} of the energy rests on sourced figures only; {(double)basis["assumed_share"]!:P2} on at least one assumption (the profile names each).");
        sb.AppendLine();
        sb.AppendLine("| tile | layer | chip | energy per sample (nJ) | cells (nJ) | MVMs | ADC conversions | latency (ns) |\n|---|---|---|---|---|---|---|---|");
        foreach (var t in result.Tiles)
            sb.AppendLine(inv, $"| {t.Id} | {t.Layer} | {t.Chip} | {F(t.EnergyJoules / n * 1e9)} | {F(t.CellEnergyJoules / n * 1e9)} | {t.MvmCount} | {F(t.AdcConversions)} | {F(t.SimulatedLatencySeconds * 1e9)} |");
        if (result.Links.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("| link | signals | bits | energy (J) |\n|---|---|---|---|");
            foreach (var l in result.Links) sb.AppendLine(inv, $"| chip {l.From} → {l.To} | {l.Signals} | {F(l.Bits)} | {F(l.EnergyJoules)} |");
        }
        return sb.ToString();
    }
}
