using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid reproduce</c>: the paper's experiment end to end. The unconditional ring and the conditional
/// latent task, each digital (ONNX Runtime, the paper's Euler steps) against the analog machine on several
/// chips; the co-design sweep (hardware-aware against noiseless training under programming noise); time,
/// energy, speed-up and energy ratio beside every figure the paper reports. Analog runs go to the grain
/// cluster (an embedded silo by default) as sweep cells, kept under OUT so a re-run resumes.
/// </summary>
internal static class ReproduceCommand
{
    /// <summary>How much of the experiment to run: the paper's sizes, or a few minutes' worth.</summary>
    private sealed record Scale(int RingSamples, int RingSteps, int ConditionalPerClass, int ConditionalSteps, int Chips, double[] Sigmas, int CodesignSamples)
    {
        public static readonly Scale Full = new(10_000, PaperFigures.UnconditionalSteps, PaperFigures.ConditionalSamplesPerClass, PaperFigures.ConditionalSteps, 5, [0, 0.05, 0.1, 0.2], 2000);
        public static readonly Scale Quick = new(1000, 1000, 100, 500, 2, [0, 0.1], 500);
    }

    /// <summary>One task of the paper: its digital baseline and the analog machine's chips.</summary>
    private sealed record TaskRun(string Key, string Title, SweepModel Model, bool Conditional, DigitalBaseline Digital, int Steps,
        QualityReport? DigitalQuality, ImageQualityReport? DigitalImages, SweepPlan Plan, IReadOnlyList<SweepPoint> Points, IReadOnlyDictionary<string, CellMetrics> Cells)
    {
        public CellMetrics[] Chips => Plan.Cells.Select(c => Cells[c.Id]).ToArray();
        public double AnalogSeconds => Chips.Average(m => m.TimePerSampleSeconds);
        public double AnalogJoules => Chips.Average(m => m.EnergyPerSampleJoules);
        public double SpeedUp => Digital.SpeedUp(AnalogSeconds);
        public double SpeedUpBatched => Digital.SpeedUpBatched(AnalogSeconds);
        public double EnergyRatio => Digital.EnergyRatio(AnalogJoules);
        public double EnergyRatioBatched => Digital.EnergyRatioBatched(AnalogJoules);
    }

    public static Command Create()
    {
        var output = Required("--out", "Output directory: reproduction.md, reproduction.json, plots, and each part's kept cells.");
        var quick = new Option<bool>("--quick") { Description = "A few minutes' worth: fewer samples, steps, chips and σ values (the report says which)." };
        var ring = Make("--ring", "The unconditional model (the paper's ring).", "models/ring.onnx");
        var noiseless = Make("--ring-noiseless", "The ring model trained without weight noise, for the co-design sweep.", "models/ring-noiseless.onnx");
        var conditional = Make("--conditional", "The conditional model (latent diffusion through a VAE, trained with --task latent:).", "models/digits3.onnx");
        var profile = Make("--profile", $"Hardware profile of the analog machine: {string.Join(", ", HardwareProfile.Presets)} or PATH.json.", "rram-180nm");
        var chips = Optional<int>("--chips", "Chips (programming seeds 1…N) per analog configuration (default 5; 2 with --quick).").PositiveIfSet();
        var platform = Make("--platform", $"Digital platform the baseline's energy is charged to: {string.Join(", ", DigitalPlatform.Presets.Select(p => p.Name))}.", DigitalPlatform.PaperEdge);
        platform.AcceptOnlyFromAmong(DigitalPlatform.Presets.Select(p => p.Name).ToArray());
        var seed = Make<ulong>("--seed", "Seed of the prior, read noise and SDE noise.", 1);
        var simulator = new AnalogSimulator();
        var command = new Command("reproduce", """
            The paper's experiment end to end: ring and the conditional latent task, digital against analog over several chips, the co-design sweep, and time, energy, speed-up and energy ratio beside the paper's figures.
            Example: memgrid reproduce --quick --out reproduction
            """)
        { output, quick, ring, noiseless, conditional, profile, chips, platform, seed };
        foreach (var o in simulator.All()) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var scale = parse.GetValue(quick) ? Scale.Quick : Scale.Full;
            if (parse.GetValue(chips) is { } c) scale = scale with { Chips = c };
            var hardware = HardwareProfile.Resolve(parse.GetValue(profile)!);
            var digitalPlatform = DigitalPlatform.Resolve(parse.GetValue(platform)!);
            ulong seedValue = parse.GetValue(seed);
            var ringModel = Load(parse.GetValue(ring)!, "ring");
            var noiselessModel = Load(parse.GetValue(noiseless)!, "ring-noiseless");
            var conditionalModel = Load(parse.GetValue(conditional)!, "conditional");
            UserInputException.Require(!ringModel.Network.IsConditional, "ring", $"{ringModel.Name} is conditional; the unconditional task needs an unconditional model");
            UserInputException.Require(conditionalModel.Network.IsConditional, "conditional", $"{conditionalModel.Name} is unconditional");
            var error = parse.InvocationConfiguration.Error;
            // Each model's reference is generated once, however many parts of the experiment score against it.
            var references = new Dictionary<SweepModel, (Dataset Data, string Name)>();
            (Dataset Data, string Name) Reference(SweepModel m) => references.TryGetValue(m, out var known) ? known : references[m] = ReferenceResolver.Resolve(null, m.Network.Metadata, seedValue, 10_000, w => error.WriteLine(w))
                ?? throw UserInputException.ForSetting(m == conditionalModel ? "conditional" : "ring", $"{m.Name} names no training task, so its samples cannot be scored");
            var judge = LatentImages.JudgeOf(conditionalModel.Network.Metadata);

            string outDir = parse.GetValue(output)!;
            RunOutputs.PrepareDirectory(outDir);
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"reproduce{(parse.GetValue(quick) ? " --quick" : "")}: ring {scale.RingSamples} samples ({scale.RingSteps} digital steps), {conditionalModel.Name} {scale.ConditionalPerClass} per class ({scale.ConditionalSteps} steps), " +
                $"{scale.Chips} chip(s) on {hardware.Name}, co-design σ ∈ {{{string.Join(", ", scale.Sigmas.Select(s => s.ToString(CultureInfo.InvariantCulture)))}}}; analog runs on the {simulator.Where(parse)}");

            var runs = new List<TaskRun>();
            foreach (var (key, title, model, steps, perLabel) in new[]
            {
                ("ring", "unconditional (ring)", ringModel, scale.RingSteps, scale.RingSamples),
                ("conditional", $"conditional ({conditionalModel.Name}, latent diffusion)", conditionalModel, scale.ConditionalSteps, scale.ConditionalPerClass),
            })
            {
                var reference = Reference(model);
                int[] labels = LabelEncoder.LabelsFor(model.Network, null, perLabel);
                int count = labels.Length > 0 ? labels.Length : perLabel;
                var taskDir = Path.Combine(outDir, key);
                RunOutputs.PrepareDirectory(taskDir);

                var digitalOptions = new SamplerOptions
                {
                    Kind = SamplerKind.Ode, Steps = steps, ScheduleScale = model.Network.Metadata.SamplingScheduleScale, Seed = seedValue, BatchSize = count,
                };
                DigitalBaseline digital;
                using (var ort = new OnnxRuntimeScoreModel(model.Bytes, model.Network, intraOpThreads: 1))
                    digital = DigitalBaseline.Measure(ort, model.Network, count, labels, digitalOptions, threads: 1, latencyMin: 4, digitalPlatform, cancel);
                var samples = digital.Batch;
                var digitalQuality = QualityReport.Compute(samples.Samples, samples.Labels, samples.Dim, reference.Data);
                var digitalDir = Path.Combine(taskDir, "digital");
                RunOutputs.PrepareDirectory(digitalDir);
                RunOutputs.WriteSamples(digitalDir, samples.Samples, samples.Dim, samples.Labels, model.Network.ClassNames);
                RunOutputs.WritePng(digitalDir, "samples.png", ScatterPlot.Render($"{model.Name} — digital ({steps} Euler steps)", samples.Samples, samples.Labels, reference.Data.X, samples.Dim, model.Network.ClassNames));
                var digitalImages = model == conditionalModel
                    ? LatentImages.DecodeAndScore(digitalDir, $"{model.Name} — digital: decoded latents", judge, samples.Samples, samples.Labels, reference.Data)?.Quality : null;
                cancel.ThrowIfCancellationRequested();

                var options = new AnalogRunOptions { Kind = SamplerKind.Ode, Seed = seedValue };
                var plan = SweepPlan.Expand([model], hardware, [], scale.Chips, options, perLabel, _ => labels, _ => $"{reference.Name}@{seedValue}");
                var results = await RunCellsAsync(parse, simulator, plan, taskDir, new Dictionary<SweepModel, (Dataset, string)> { [model] = reference }, model == conditionalModel ? judge : null, o, title, cancel,
                    (cell, result) =>
                    {
                        if (cell.Chip != 1) return;
                        var chipDir = Path.Combine(taskDir, "analog-chip1");
                        RunOutputs.PrepareDirectory(chipDir);
                        RunOutputs.WriteSamples(chipDir, result.Samples, result.Dim, result.Labels, model.Network.ClassNames);
                        RunOutputs.WritePng(chipDir, "samples.png", ScatterPlot.Render($"{model.Name} — analog on {hardware.Name}, chip 1", result.Samples, result.Labels, reference.Data.X, result.Dim, model.Network.ClassNames));
                        if (model == conditionalModel)
                            LatentImages.DecodeAndScore(chipDir, $"{model.Name} — analog on {hardware.Name}, chip 1: decoded latents", judge, result.Samples, result.Labels, reference.Data);
                    });
                var metric = model == conditionalModel ? SweepMetric.DecodedClassAccuracy : SweepMetric.KlPaper;
                runs.Add(new TaskRun(key, title, model, model == conditionalModel, digital, steps, digitalQuality, digitalImages, plan, SweepSummary.Aggregate(plan, results, metric), results));
            }

            // The co-design claim: hardware-aware training degrades less under programming noise (ideal profile plus noise).
            var codesignDir = Path.Combine(outDir, "codesign");
            RunOutputs.PrepareDirectory(codesignDir);
            var codesignPlan = SweepPlan.Expand([ringModel, noiselessModel], HardwareProfile.Resolve("ideal"), [SweepAxis.ProgrammingSigma(scale.Sigmas)], scale.Chips,
                new AnalogRunOptions { Kind = SamplerKind.Ode, Seed = seedValue }, scale.CodesignSamples, _ => [], m => $"{Reference(m).Name}@{seedValue}");
            var codesign = await RunCellsAsync(parse, simulator, codesignPlan, codesignDir,
                new Dictionary<SweepModel, (Dataset, string)> { [ringModel] = Reference(ringModel), [noiselessModel] = Reference(noiselessModel) }, null, o, "co-design sweep", cancel);
            var codesignPoints = SweepSummary.Aggregate(codesignPlan, codesign, SweepMetric.KlPaper);
            RunOutputs.WritePng(codesignDir, "quality-vs-programming-sigma.png", SweepPlots.QualityVersus(codesignPlan, codesignPoints, 0, SweepMetric.KlPaper));

            var assumptions = Assumptions(hardware, digitalPlatform, scale, parse.GetValue(quick), runs[0].Digital);
            string markdown = Markdown(runs, codesignPlan, codesignPoints, hardware, scale, parse.GetValue(quick), assumptions);
            RunOutputs.WriteText(outDir, "reproduction.md", markdown);
            RunOutputs.WriteReport(outDir, Json(runs, codesignPlan, codesignPoints, hardware, digitalPlatform, scale, parse.GetValue(quick), assumptions), "reproduction.json");
            o.WriteLine(markdown.TrimEnd());
            o.WriteLine($"wrote {Path.Combine(outDir, "reproduction.md")}, reproduction.json, ring/, conditional/, codesign/");
            return 0;
        });
        return command;
    }

    private static SweepModel Load(string path, string setting)
    {
        UserInputException.Require(File.Exists(path), setting, $"{path}: no such model file (run from the repository root, or pass --{setting} PATH.onnx)");
        byte[] bytes = OnnxImporter.ReadModelBytes(path);
        var net = OnnxImporter.FromBytes(bytes, path);
        return new SweepModel(Path.GetFileName(path), bytes, net.WithMetadata(new ScheduleSettings().ApplyTo(net.Metadata, Path.GetFileName(path))));
    }

    private static async Task<IReadOnlyDictionary<string, CellMetrics>> RunCellsAsync(ParseResult parse, AnalogSimulator simulator, SweepPlan plan, string dir,
        IReadOnlyDictionary<SweepModel, (Dataset Data, string Name)> references, ImageJudge? judge, TextWriter output, string title, CancellationToken cancel,
        Action<SweepCell, Engine.Accounting.AnalogRunResult>? onResult = null)
    {
        var store = new SweepStore(dir);
        var results = new ConcurrentDictionary<string, CellMetrics>();
        foreach (var cell in plan.Cells)
            if (store.TryLoad(cell) is { } done) results[cell.Id] = done;
        // A kept chip 1 has no samples on disk to plot: run it again when its plots are missing.
        var todo = plan.Cells.Where(c => !results.ContainsKey(c.Id) || (onResult is not null && c.Chip == 1 && !Directory.Exists(Path.Combine(dir, "analog-chip1")))).DistinctBy(c => c.Id).ToList();
        var judges = plan.Models.ToDictionary(m => m, _ => judge);
        var runner = new CellRunner(plan, store, results, references.ToDictionary(p => p.Key, p => (Dataset?)p.Value.Data), judges, output, parallel: 2, cancel) { OnResult = onResult };
        if (todo.Count > 0) await runner.RunWhereAsync(simulator, parse, todo, title);
        return results;
    }

    private static string G(double v) => v.ToString(Math.Abs(v) >= 1000 ? "N0" : "G3", CultureInfo.InvariantCulture);

    private static string MeanSe(ChipStatistics s, string format = "F4") =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Mean.ToString(format, CultureInfo.InvariantCulture)} ± {s.StandardError.ToString(format, CultureInfo.InvariantCulture)}");

    private static ChipStatistics Over(TaskRun run, Func<CellMetrics, double?> metric) => ChipStatistics.Of(run.Chips.Select(m => metric(m) ?? double.NaN).ToList());

    private static List<string> Assumptions(HardwareProfile hardware, DigitalPlatform platform, Scale scale, bool quick, DigitalBaseline digital) =>
    [
        $"analog machine: profile {hardware.Name}; every number in it carries its source or the word assumption (memgrid profile show {hardware.Name})",
        $"digital baseline: ONNX Runtime (1 thread) in the probability-flow Euler loop on this machine; time is CPU time; speed-up and energy ratio compare one sample at a time on each side (the analog figure is one closed loop's latency)",
        $"digital energy: {digital.EnergySource}",
        "the paper's baseline hardware is not published: its figures were measured against the authors' own software baseline, ours against ONNX Runtime on this CPU",
        "the conditional task is latent diffusion through a VAE trained here on the UCI handwritten digits (the authors used EMNIST letters, which cannot be fetched here); its quality is the decoded images' class accuracy and Fréchet distance in the VAE classifier's features",
        $"analog quality is the mean ± standard error over {scale.Chips} chips (programming seeds 1…{scale.Chips}); the co-design sweep runs the ideal profile plus the paper's truncated-multiplicative programming noise (truncation 2σ)",
        .. quick ? new[] { $"--quick: {scale.RingSamples} ring samples with {scale.RingSteps} digital steps (the paper: {PaperFigures.UnconditionalSteps}), {scale.ConditionalPerClass} per class with {scale.ConditionalSteps} steps (the paper: {PaperFigures.ConditionalSamplesPerClass} with {PaperFigures.ConditionalSteps}), {scale.Chips} chips: sampling noise is larger and the digital time smaller than the full run's" } : [],
    ];

    private static string Markdown(List<TaskRun> runs, SweepPlan codesignPlan, IReadOnlyList<SweepPoint> codesign, HardwareProfile hardware, Scale scale, bool quick, List<string> assumptions)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Reproduction of Yang et al.: analog `{hardware.Name}` against digital{(quick ? " (--quick)" : "")}");
        sb.AppendLine();
        sb.AppendLine("**kl_paper**: the paper's KL divergence between generated and reference samples over one 50-bin histogram of all coordinates on [−4, 4] (lower is better). " +
            "**Decoded accuracy**: the share of decoded images a classifier trained on real images assigns to the class they were generated for. **Fréchet distance**: FID's formula in that classifier's features (lower is better).");
        sb.AppendLine();
        sb.AppendLine("## Quality");
        sb.AppendLine();
        sb.AppendLine($"| task | metric | digital | analog, mean ± s.e. over {scale.Chips} chips | analog / digital | the paper |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            var kl = Over(run, m => m.KlPaper);
            string paperClaim = "equal quality";
            sb.AppendLine(inv, $"| {run.Title} | kl_paper{(run.Conditional ? " (latents)" : "")} | {run.DigitalQuality!.KlPaper:F4} | {MeanSe(kl)} | {G(kl.Mean / run.DigitalQuality.KlPaper)}× | {paperClaim} |");
            if (run.DigitalImages is { } images)
            {
                var acc = Over(run, m => m.DecodedClassAccuracy);
                var fd = Over(run, m => m.FrechetDistance);
                sb.AppendLine(inv, $"| {run.Title} | decoded accuracy | {images.Pooled.ClassAccuracy:F3} | {MeanSe(acc, "F3")} | {G(acc.Mean / images.Pooled.ClassAccuracy)}× | equal quality |");
                sb.AppendLine(inv, $"| {run.Title} | Fréchet distance | {images.Pooled.FrechetDistance:F3} | {MeanSe(fd, "F3")} | {G(fd.Mean / images.Pooled.FrechetDistance)}× | equal quality |");
            }
        }
        sb.AppendLine();
        sb.AppendLine("## Time and energy per sample");
        sb.AppendLine();
        sb.AppendLine("| task | analog time | digital, one at a time (CPU) | digital, batched (CPU) | speed-up | batched speed-up | arXiv v1 | journal |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            string Paper(int source) => G(run.Conditional ? PaperFigures.SpeedUps[source].Conditional : PaperFigures.SpeedUps[source].Unconditional) + "×";
            sb.AppendLine(inv, $"| {run.Title} | {Units.Time(run.AnalogSeconds)} | {Units.Time(run.Digital.LatencySeconds)} | {Units.Time(run.Digital.ThroughputSeconds)} | {G(run.SpeedUp)}× | {G(run.SpeedUpBatched)}× | {Paper(0)} | {Paper(1)} |");
        }
        sb.AppendLine();
        sb.AppendLine("| task | analog energy | digital, one at a time | digital, batched | energy ratio (digital / analog) | batched | arXiv v1 | journal |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            string Paper(int source) => G(run.Conditional ? PaperFigures.EnergyRatios[source].Conditional : PaperFigures.EnergyRatios[source].Unconditional) + "×";
            sb.AppendLine(inv, $"| {run.Title} | {Units.Energy(run.AnalogJoules)} | {Units.Energy(run.Digital.EnergyPerSampleJoules)} | {Units.Energy(run.Digital.EnergyPerSampleBatchedJoules)} | {G(run.EnergyRatio)}× | {G(run.EnergyRatioBatched)}× | {Paper(0)} | {Paper(1)} |");
        }
        sb.AppendLine();
        sb.AppendLine(inv, $"The paper's own baseline spends {Units.Time(PaperFigures.IedmDigitalSeconds)} on a sample of {PaperFigures.ConditionalSteps} steps (IEDM 2024), {Units.Time(PaperFigures.IedmDigitalSeconds / PaperFigures.ConditionalSteps)} per step: far less than one ONNX Runtime call, so it is an amortised (batched) figure. Compare the paper's ratios with the batched columns; the one-at-a-time columns are what a single-sample request would see.");
        sb.AppendLine();
        var cond = runs.First(r => r.Conditional);
        sb.AppendLine("IEDM 2024 (2-D conditional task, per sample), against ours on the conditional task:");
        sb.AppendLine();
        sb.AppendLine("| | analog time | analog energy | digital time | digital energy |");
        sb.AppendLine("|---|---|---|---|---|");
        sb.AppendLine(inv, $"| IEDM 2024 | {Units.Time(PaperFigures.IedmAnalogSeconds)} | {Units.Energy(PaperFigures.IedmAnalogJoules)} | {Units.Time(PaperFigures.IedmDigitalSeconds)} | {Units.Energy(PaperFigures.IedmDigitalJoules)} |");
        sb.AppendLine(inv, $"| ours | {Units.Time(cond.AnalogSeconds)} | {Units.Energy(cond.AnalogJoules)} | {Units.Time(cond.Digital.LatencySeconds)} | {Units.Energy(cond.Digital.EnergyPerSampleJoules)} |");
        sb.AppendLine();
        sb.AppendLine("## Co-design: hardware-aware training under programming noise");
        sb.AppendLine();
        var models = codesignPlan.Models;
        sb.AppendLine($"| σ | {string.Join(" | ", models.Select(m => $"{m.Name} kl_paper"))} |");
        sb.AppendLine($"|---|{string.Concat(models.Select(_ => "---|"))}");
        foreach (string sigma in codesignPlan.Axes[0].Values)
            sb.AppendLine($"| {sigma} | {string.Join(" | ", models.Select(m => codesign.First(p => p.Model == m && p.Settings[0] == sigma) is { } p ? MeanSe(p.Quality!) : "n/a"))} |");
        sb.AppendLine();
        sb.AppendLine("Plots: `ring/digital/samples.png`, `ring/analog-chip1/samples.png`, `conditional/digital/images.png`, `conditional/analog-chip1/images.png`, `codesign/quality-vs-programming-sigma.png`.");
        sb.AppendLine();
        sb.AppendLine("Assumptions:");
        foreach (var a in assumptions) sb.AppendLine($"- {a}");
        return sb.ToString();
    }

    private static JsonObject Json(List<TaskRun> runs, SweepPlan codesignPlan, IReadOnlyList<SweepPoint> codesign, HardwareProfile hardware, DigitalPlatform platform, Scale scale, bool quick, List<string> assumptions)
    {
        JsonObject Stats(ChipStatistics s) => new() { ["mean"] = s.Mean, ["standard_error"] = s.StandardError, ["chips"] = s.Chips };
        var tasks = new JsonObject();
        foreach (var run in runs)
            tasks[run.Key] = new JsonObject
            {
                ["model"] = run.Model.Name,
                ["model_sha256"] = run.Model.Sha256,
                ["digital"] = new JsonObject
                {
                    ["steps"] = run.Steps,
                    ["samples"] = run.Digital.Batch.Samples.Length / run.Digital.Batch.Dim,
                    ["kl_paper"] = run.DigitalQuality?.KlPaper,
                    ["decoded_class_accuracy"] = run.DigitalImages?.Pooled.ClassAccuracy,
                    ["decoded_frechet_distance"] = run.DigitalImages?.Pooled.FrechetDistance,
                    ["latency_seconds"] = run.Digital.LatencySeconds,
                    ["time_per_sample_batched_seconds"] = run.Digital.ThroughputSeconds,
                    ["energy_per_sample_joules"] = run.Digital.EnergyPerSampleJoules,
                    ["energy_per_sample_batched_joules"] = run.Digital.EnergyPerSampleBatchedJoules,
                    ["energy_source"] = run.Digital.EnergySource,
                },
                ["analog"] = new JsonObject
                {
                    ["kl_paper"] = Stats(Over(run, m => m.KlPaper)),
                    ["decoded_class_accuracy"] = run.Conditional ? Stats(Over(run, m => m.DecodedClassAccuracy)) : null,
                    ["decoded_frechet_distance"] = run.Conditional ? Stats(Over(run, m => m.FrechetDistance)) : null,
                    ["time_per_sample_seconds"] = run.AnalogSeconds,
                    ["energy_per_sample_joules"] = run.AnalogJoules,
                    ["chips"] = new JsonArray(run.Plan.Cells.Select(c => (JsonNode)new JsonObject
                    {
                        ["chip"] = c.Chip,
                        ["kl_paper"] = run.Cells[c.Id].KlPaper,
                        ["decoded_class_accuracy"] = run.Cells[c.Id].DecodedClassAccuracy,
                        ["samples_sha256"] = run.Cells[c.Id].SamplesSha256,
                    }).ToArray()),
                },
                ["speedup"] = run.SpeedUp,
                ["speedup_batched"] = run.SpeedUpBatched,
                ["energy_ratio"] = run.EnergyRatio,
                ["energy_ratio_batched"] = run.EnergyRatioBatched,
                ["paper_speedups"] = new JsonObject(PaperFigures.SpeedUps.Select(p => KeyValuePair.Create(p.Source, (JsonNode?)(run.Conditional ? p.Conditional : p.Unconditional)))),
                ["paper_energy_ratios"] = new JsonObject(PaperFigures.EnergyRatios.Select(p => KeyValuePair.Create(p.Source, (JsonNode?)(run.Conditional ? p.Conditional : p.Unconditional)))),
            };
        return new JsonObject
        {
            ["kind"] = "reproduction",
            ["quick"] = quick,
            ["profile"] = hardware.Name,
            ["platform"] = platform.Name,
            ["chips"] = scale.Chips,
            ["tasks"] = tasks,
            ["iedm_2024"] = new JsonObject
            {
                ["analog_seconds"] = PaperFigures.IedmAnalogSeconds, ["analog_joules"] = PaperFigures.IedmAnalogJoules,
                ["digital_seconds"] = PaperFigures.IedmDigitalSeconds, ["digital_joules"] = PaperFigures.IedmDigitalJoules,
            },
            ["codesign"] = new JsonArray(codesign.Select(p => (JsonNode)new JsonObject
            {
                ["model"] = p.Model.Name,
                [codesignPlan.Axes[0].Name] = p.Settings[0],
                ["kl_paper"] = p.Quality is { } q ? Stats(q) : null,
            }).ToArray()),
            ["assumptions"] = new JsonArray(assumptions.Select(a => (JsonNode)a).ToArray()),
        };
    }
}
