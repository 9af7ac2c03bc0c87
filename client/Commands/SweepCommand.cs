using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MemristorGrid.Client.Output;
using MemristorGrid.Engine;
using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Experiments;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Simulation;
using MemristorGrid.GrainInterfaces;
using MemristorGrid.Hosting;
using static MemristorGrid.Client.Commands.CommandOptions;

namespace MemristorGrid.Client.Commands;

/// <summary>
/// <c>memgrid sweep</c>: a design-space sweep. Every model × every combination of the swept profile keys ×
/// chips 1…C is one generation job on the grain cluster; finished cells are kept in <c>OUT/cells/</c>, so
/// running the same command again resumes the sweep.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "Score networks to sweep (.onnx; repeat the option).", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = Required("--out", "Output directory: sweep.csv, sweep.json, sweep.md, plots, and cells/ (finished cells, kept for resuming).");
        var profile = Make("--profile", $"Base hardware profile ({string.Join(", ", HardwareProfile.Presets)} or PATH.json); --set changes keys of it.", "rram-180nm");
        var set = new Option<string[]>("--set")
        {
            Description = "Sweep a profile key over values: KEY=V1,V2,… with KEY a dotted profile path (e.g. device.programming_noise.sigma=0,0.05,0.1, mapping.tile_rows=32,64; 'memgrid profile show' lists the keys). Repeat for more keys: every combination is run.",
            AllowMultipleArgumentsPerToken = true,
        };
        var sigmas = new Option<string?>("--sigmas") { Description = "Shorthand axis: the paper's truncated-multiplicative programming noise at these σ (truncation 2σ, 0 = none), comma-separated." };
        var chips = Make("--chips", "Chips per configuration (programming seeds 1…N): quality is reported as mean ± standard error over them.", 3).Positive();
        var samples = Make("--samples", "Samples per cell (per label for conditional models).", 2000).Positive();
        var labels = new Option<string?>("--labels") { Description = "Classes to generate in every cell of a conditional model (default: all)." };
        var guidance = Make("--guidance", "Classifier-free guidance weight w.", 0f).NonNegative();
        var sampler = Make("--sampler", "ode (probability-flow, Dormand–Prince) or sde (reverse SDE).", "ode");
        var seed = Make<ulong>("--seed", "Seed of the prior, read noise and SDE noise (the same in every cell).", 1);
        var metric = Make("--metric", "Quality metric for the tables, plots and Pareto front: kl_paper, kl_2d, energy_distance, class_accuracy, or for latent models decoded_class_accuracy or frechet_distance.", "kl_paper");
        var parallel = Make("--parallel", "Cells run at once (each cell's job is itself spread over the cluster's lane slots).", 2).Positive();
        var rtol = Make("--rtol", "Relative tolerance of the adaptive ODE solver.", 1e-4).Positive();
        var atol = Make("--atol", "Absolute tolerance of the adaptive ODE solver.", 1e-5).Positive();
        var referenceData = ReferenceData.Create();
        var simulator = new AnalogSimulator();
        var schedule = new ScheduleOptions();
        sampler.AcceptOnlyFromAmong("ode", "sde");
        metric.AcceptOnlyFromAmong("kl_paper", "kl_2d", "energy_distance", "class_accuracy", "decoded_class_accuracy", "frechet_distance");
        var command = new Command("sweep", """
            Design-space sweep on the grain cluster (an embedded silo unless --gateway or --redis is given): quality, energy and time per sample of every model at every combination of the swept profile keys, over several chips.
            Example: memgrid sweep --model models/ring.onnx --set device.programming_noise.sigma=0,0.05,0.1 --set mapping.tile_rows=32,64 --chips 3 --out sweeps/ring
            """)
        {
            models, output, profile, set, sigmas, chips, samples, labels, guidance, sampler, seed, metric, parallel, rtol, atol, referenceData,
        };
        foreach (var o in simulator.All().Concat(schedule.All())) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var sweepModels = parse.GetValue(models)!.Select(path =>
            {
                var (bytes, net, _) = schedule.Load(parse, path);
                return new SweepModel(Path.GetFileName(path), bytes, net);
            }).ToList();
            var axes = (parse.GetValue(set) ?? []).Select(SweepAxis.Parse).ToList();
            if (parse.GetValue(sigmas) is { } sigmaText) axes.Insert(0, SweepAxis.ProgrammingSigma(ParseSigmas(sigmaText)));
            var chosen = ParseMetric(parse.GetValue(metric)!);
            string labelText = parse.GetValue(labels) ?? "";
            int perLabel = parse.GetValue(samples);
            foreach (var m in sweepModels) MemoryBudget.RequireSamples((long)perLabel * Math.Max(1, m.Network.ClassCount), m.Network.InputDim, "samples");
            ulong seedValue = parse.GetValue(seed);
            var references = sweepModels.ToDictionary(m => m, m =>
                ReferenceResolver.Resolve(parse.GetValue(referenceData), m.Network.Metadata, seedValue, 10_000, w => error.WriteLine(w)));
            foreach (var m in sweepModels.Where(m => references[m] is null))
                error.WriteLine($"warning: {m.Name} names no training task and no --reference-data was given; its quality metrics are omitted");
            if (chosen == SweepMetric.ClassAccuracy && sweepModels.FirstOrDefault(m => !m.Network.IsConditional) is { } plain)
                throw UserInputException.ForSetting("metric", $"class_accuracy needs conditional models; {plain.Name} is unconditional");
            // Latent models' cells also decode their samples (the engine's decoder: the same numbers on every machine).
            var judges = sweepModels.ToDictionary(m => m, m => LatentImages.JudgeOf(m.Network.Metadata));
            if (chosen.NeedsDecoder() && sweepModels.FirstOrDefault(m => judges[m] is null) is { } plainModel)
                throw UserInputException.ForSetting("metric", $"{chosen.Key()} needs latent models (trained with --task latent:VAE.onnx); {plainModel.Name} is not");
            var options = new AnalogRunOptions
            {
                Kind = parse.GetValue(sampler) == "sde" ? SamplerKind.Sde : SamplerKind.Ode,
                GuidanceWeight = parse.GetValue(guidance),
                Seed = seedValue,
                RelativeTolerance = parse.GetValue(rtol),
                AbsoluteTolerance = parse.GetValue(atol),
            };
            string profileName = parse.GetValue(profile)!;
            var plan = SweepPlan.Expand(sweepModels, HardwareProfile.Resolve(profileName), axes, parse.GetValue(chips), options, perLabel,
                m => LabelEncoder.LabelsFor(m.Network, labelText.Length > 0 ? labelText : null, perLabel),
                m => references[m] is { } r ? $"{r.Name}@{seedValue}" : "none");

            string outDir = parse.GetValue(output)!;
            RunOutputs.PrepareDirectory(outDir);
            var store = new SweepStore(outDir);
            var results = new ConcurrentDictionary<string, CellMetrics>();
            foreach (var cell in plan.Cells)
                if (store.TryLoad(cell) is { } done) results[cell.Id] = done;
            var kept = results.Keys.ToHashSet();
            var todo = plan.Cells.Where(c => !kept.Contains(c.Id)).DistinctBy(c => c.Id).ToList();
            string where = simulator.Where(parse);
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"sweep {plan.Id}: {plan.Cells.Count} cells ({plan.Models.Count} model(s) × {plan.Cells.Count / plan.Models.Count / plan.Chips} setting(s) × {plan.Chips} chip(s)); " +
                (kept.Count > 0 ? $"{kept.Count} kept from an earlier run, {todo.Count} to run" : $"{todo.Count} to run") + $" on the {where}");

            var runner = new CellRunner(plan, store, results, references.ToDictionary(p => p.Key, p => p.Value?.Data), judges, o, parse.GetValue(parallel), cancel);
            if (todo.Count > 0) await runner.RunWhereAsync(simulator, parse, todo, "sweep");

            var settings = new JsonObject
            {
                ["profile"] = plan.Cells[0].Profile.Name,
                ["profile_source"] = HardwareProfile.Presets.Contains(profileName) ? "preset" : Path.GetFullPath(profileName),
                ["sampler"] = options.Kind == SamplerKind.Ode ? "ode" : "sde",
                ["samples"] = perLabel,
                ["labels"] = labelText.Length > 0 ? labelText : "all",
                ["guidance"] = options.GuidanceWeight,
                ["seed"] = seedValue,
                ["simulator"] = where,
                ["references"] = new JsonObject(sweepModels.Select(m => KeyValuePair.Create(m.Name, (JsonNode?)references[m]?.Name))),
            };
            var points = SweepSummary.Aggregate(plan, results, chosen);
            var report = new SweepReport(plan, results, points, chosen, settings, kept);
            RunOutputs.WriteText(outDir, "sweep.csv", report.Csv());
            RunOutputs.WriteReport(outDir, report.Json(), "sweep.json");
            string markdown = report.Markdown();
            RunOutputs.WriteText(outDir, "sweep.md", markdown);
            var plots = report.PlotNames().ToList();
            for (int a = 0; a < plots.Count - 1; a++) RunOutputs.WritePng(outDir, plots[a], SweepPlots.QualityVersus(plan, points, a, chosen));
            RunOutputs.WritePng(outDir, plots[^1], SweepPlots.Pareto(plan, points, chosen));
            o.WriteLine(markdown.TrimEnd());
            o.WriteLine($"wrote {Path.Combine(outDir, "sweep.csv")}, sweep.json, sweep.md, {string.Join(", ", plots)}");
            return 0;
        });
        return command;
    }

    private static List<double> ParseSigmas(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(token =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw UserInputException.ForSetting("sigmas", $"'{token}' is not a number")).ToList();

    private static SweepMetric ParseMetric(string key) => Enum.GetValues<SweepMetric>().Single(m => m.Key() == key);
}
