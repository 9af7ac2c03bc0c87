using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Experiments;

/// <summary>What a user asked of a design-space sweep, before anything is checked.</summary>
public sealed record SweepSpec
{
    public required IReadOnlyList<SweepModel> Models { get; init; }
    public string Profile { get; init; } = "rram-180nm";
    public IReadOnlyList<SweepAxis> Axes { get; init; } = [];
    public int Chips { get; init; } = 3;
    public int SamplesPerLabel { get; init; } = 2000;

    /// <summary>Classes every conditional model's cells generate; null = all.</summary>
    public string? Labels { get; init; }

    /// <summary>Sampler, guidance, seed and tolerances of every cell (the chip seed is the cell's chip).</summary>
    public AnalogRunOptions Options { get; init; } = new();
    public string? ReferenceData { get; init; }
    public SweepMetric Metric { get; init; } = SweepMetric.KlPaper;
    public IReadOnlyList<string> CommandLine { get; init; } = [];
}

/// <summary>The settings a sweep ran with, as <c>sweep.json</c> records them.</summary>
public sealed record SweepSettings(string Profile, string ProfileSource, string Sampler, int Samples, string Labels, float Guidance, ulong Seed,
    string Simulator, IReadOnlyDictionary<string, string?> References);

/// <summary>A sweep, checked once: its plan of cells, each model's reference and image judge, and its settings.</summary>
public sealed record SweepRequest(SweepPlan Plan, IReadOnlyDictionary<SweepModel, ReferenceSet?> References, SweepMetric Metric, SweepSpec Spec, HardwareProfile BaseProfile)
{
    public static SweepRequest Create(SweepSpec spec, Action<string> warn)
    {
        var models = spec.Models;
        UserInputException.Require(spec.SamplesPerLabel >= 1, "samples", $"must be at least 1 (got {spec.SamplesPerLabel})");
        foreach (var m in models) MemoryBudget.RequireSamples((long)spec.SamplesPerLabel * Math.Max(1, m.Network.ClassCount), m.Network.InputDim, "samples");
        ulong seed = spec.Options.Seed;
        var references = models.ToDictionary(m => m, m => ReferenceResolver.Resolve(spec.ReferenceData, m.Network.Metadata, seed, 10_000, warn));
        foreach (var m in models.Where(m => references[m] is null))
            warn($"warning: {m.Name} names no training task and no --reference-data was given; its quality metrics are omitted");
        if (spec.Metric == SweepMetric.ClassAccuracy && models.FirstOrDefault(m => !m.Network.IsConditional) is { } plain)
            throw UserInputException.ForSetting("metric", $"class_accuracy needs conditional models; {plain.Name} is unconditional");
        // Latent models' cells also decode their samples (the engine's decoder: the same numbers on every machine).
        var latent = models.ToDictionary(m => m, m => ImageDecoding.IsLatent(m.Network.Metadata));
        if (spec.Metric.NeedsDecoder() && models.FirstOrDefault(m => !latent[m]) is { } plainModel)
            throw UserInputException.ForSetting("metric", $"{spec.Metric.Key()} needs latent models (trained with --task latent:VAE.onnx); {plainModel.Name} is not");
        var profile = HardwareProfile.Resolve(spec.Profile);
        var plan = SweepPlan.Expand(models, profile, spec.Axes, spec.Chips, spec.Options, spec.SamplesPerLabel,
            m => LabelEncoder.LabelsFor(m.Network, string.IsNullOrEmpty(spec.Labels) ? null : spec.Labels, spec.SamplesPerLabel),
            m => references[m] is { } r ? $"{r.Name}@{seed}" : "none");
        return new SweepRequest(plan, references.ToDictionary(p => p.Key, p => p.Value is { } r ? new ReferenceSet(r.Data, r.Name) : null), spec.Metric, spec, profile)
        {
            ReferenceNames = references.ToDictionary(p => p.Key.Name, p => p.Value?.Name),
        };
    }

    /// <summary>Model name → the name of the reference its cells are scored against (null: none).</summary>
    public IReadOnlyDictionary<string, string?> ReferenceNames { get; init; } = new Dictionary<string, string?>();

    public SweepSettings Settings(IAnalogMachine machine) => new(Plan.Cells[0].Profile.Name,
        HardwareProfile.Presets.Contains(Spec.Profile) ? "preset" : Path.GetFullPath(Spec.Profile),
        Spec.Options.Kind == SamplerKind.Ode ? "ode" : "sde", Spec.SamplesPerLabel, string.IsNullOrEmpty(Spec.Labels) ? "all" : Spec.Labels,
        Spec.Options.GuidanceWeight, Spec.Options.Seed, machine.Description, ReferenceNames);

    public Provenance Provenance() => Runs.Provenance.Of(Plan.Models.SelectMany(m => Runs.Provenance.LatentFiles(m.Network.Metadata).Prepend((m.Name, m.Bytes))),
        BaseProfile, Spec.Options.Seed, Spec.CommandLine);
}

/// <summary>A finished sweep: its request, every cell's metrics, the configurations over chips, and the settings it ran with.</summary>
public sealed record SweepOutcome(SweepRequest Request, SweepResults Results, IReadOnlyList<SweepPoint> Points, SweepSettings Settings);

/// <summary><c>memgrid sweep</c>'s experiment: run the plan's unfinished cells (kept cells resume), then aggregate over chips.</summary>
public static class SweepExperiment
{
    public static async Task<SweepOutcome> RunAsync(SweepRequest request, string outDir, IAnalogMachine machine, IWorkProgress progress, Action<string> log,
        int parallel, CancellationToken cancel)
    {
        var plan = request.Plan;
        var runner = new SweepRunner(new RunPipeline(machine), progress, log, parallel)
        {
            OnStart = (kept, todo) => log($"sweep {plan.Id}: {plan.Cells.Count} cells ({plan.Models.Count} model(s) × {plan.Cells.Count / plan.Models.Count / plan.Chips} setting(s) × {plan.Chips} chip(s)); " +
                (kept > 0 ? $"{kept} kept from an earlier run, {todo} to run" : $"{todo} to run") + $" on the {machine.Description}"),
        };
        var results = await runner.RunAsync(plan, outDir, request.References, "sweep", cancel);
        var points = SweepSummary.Aggregate(request.Plan, results.Cells, request.Metric);
        return new SweepOutcome(request, results, points, request.Settings(machine));
    }
}
