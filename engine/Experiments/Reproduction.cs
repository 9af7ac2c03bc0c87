using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Latent;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Experiments;

/// <summary>How much of the experiment to run: the paper's sizes, or a few minutes' worth.</summary>
public sealed record ReproductionScale(int RingSamples, int RingSteps, int ConditionalPerClass, int ConditionalSteps, int Chips, double[] Sigmas, int CodesignSamples)
{
    public static readonly ReproductionScale Full = new(10_000, PaperFigures.UnconditionalSteps, PaperFigures.ConditionalSamplesPerClass, PaperFigures.ConditionalSteps, 5, [0, 0.05, 0.1, 0.2], 2000);
    public static readonly ReproductionScale Quick = new(1000, 1000, 100, 500, 2, [0, 0.1], 500);
}

/// <summary>The paper's experiment as asked: its three models, the hardware, the digital platform, the scale and the seed.</summary>
public sealed record ReproductionSpec(SweepModel Ring, SweepModel Noiseless, SweepModel Conditional, HardwareProfile Hardware, DigitalPlatform Platform,
    ReproductionScale Scale, bool Quick, ulong Seed, IReadOnlyList<string> CommandLine)
{
    /// <summary>Refuses models that cannot play their part (before anything is written).</summary>
    public ReproductionSpec Checked()
    {
        UserInputException.Require(!Ring.Network.IsConditional, "ring", $"{Ring.Name} is conditional; the unconditional task needs an unconditional model");
        UserInputException.Require(Conditional.Network.IsConditional, "conditional", $"{Conditional.Name} is unconditional");
        return this;
    }

    public Provenance Provenance() => Runs.Provenance.Of(new[] { Ring, Noiseless, Conditional }
        .SelectMany(m => Runs.Provenance.LatentFiles(m.Network.Metadata).Prepend((m.Name, m.Bytes))), Hardware, Seed, CommandLine);
}

/// <summary>One task of the paper under one sampler: its digital baseline and the analog machine's chips.</summary>
/// <param name="Task">ring or conditional; <see cref="Key"/> adds the sampler (ring-sde).</param>
public sealed record TaskRun(string Key, string Task, string Title, SweepModel Model, bool Conditional, SamplerKind Sampler, DigitalBaseline Digital, int Steps,
    QualityReport? DigitalQuality, ImageQualityReport? DigitalImages, SweepPlan Plan, IReadOnlyList<SweepPoint> Points, IReadOnlyDictionary<string, CellMetrics> Cells)
{
    public string SamplerName => Sampler == SamplerKind.Sde ? "sde" : "ode";

    public CellMetrics[] Chips => Plan.Cells.Select(c => Cells[c.Id]).ToArray();
    public double AnalogSeconds => Chips.Average(m => m.TimePerSampleSeconds);
    public double AnalogJoules => Chips.Average(m => m.EnergyPerSampleJoules);

    /// <summary>The chips' mean energy band (every figure of the profile at its low or high end), or null when a kept cell has none.</summary>
    public (double Low, double High)? AnalogJoulesBand => Chips.All(m => m.EnergyPerSampleLowJoules is not null && m.EnergyPerSampleHighJoules is not null)
        ? (Chips.Average(m => m.EnergyPerSampleLowJoules!.Value), Chips.Average(m => m.EnergyPerSampleHighJoules!.Value)) : null;
    public double SpeedUp => Digital.SpeedUp(AnalogSeconds);
    public double SpeedUpBatched => Digital.SpeedUpBatched(AnalogSeconds);
    public double EnergyRatio => Digital.EnergyRatio(AnalogJoules);
    public double EnergyRatioBatched => Digital.EnergyRatioBatched(AnalogJoules);

    /// <summary>A metric's mean and standard error over the task's chips.</summary>
    public ChipStatistics Over(Func<CellMetrics, double?> metric) => ChipStatistics.Of(Chips.Select(m => metric(m) ?? double.NaN).ToList());
}

/// <summary>Samples a reproduction keeps to look at: a side's samples against the reference, and a latent model's decoded images.</summary>
public sealed record KeptSamples(string Dir, string Title, float[] Samples, int[] Labels, int Dim, SweepModel Model, Dataset Reference, DecodedImages? Images);

/// <summary>The finished experiment: both tasks, the co-design sweep and the assumptions behind the figures.</summary>
public sealed record ReproductionOutcome(ReproductionSpec Spec, IReadOnlyList<TaskRun> Tasks, SweepPlan CodesignPlan, IReadOnlyList<SweepPoint> Codesign,
    IReadOnlyList<string> Assumptions);

/// <summary>
/// <c>memgrid reproduce</c>'s experiment: the unconditional ring and the conditional latent task, each digital (ONNX
/// Runtime, the paper's Euler steps) against the analog machine on several chips (sweep cells, kept under the output
/// directory so a re-run resumes); and the co-design sweep (hardware-aware against noiseless training under programming noise).
/// </summary>
public sealed class Reproduction(ReproductionSpec spec, IAnalogMachine machine, IWorkProgress progress, Action<string> log, Action<KeptSamples> keep)
{
    private readonly RunPipeline _pipeline = new(machine);

    private readonly Dictionary<SweepModel, (Dataset Data, string Name)> _references = new();

    /// <summary>Each model's reference, generated once however many parts of the experiment score against it.</summary>
    public (Dataset Data, string Name) Reference(SweepModel m) => _references.TryGetValue(m, out var known) ? known
        : _references[m] = ReferenceResolver.Resolve(null, m.Network.Metadata, spec.Seed, 10_000, log)
            ?? throw UserInputException.ForSetting(m == spec.Conditional ? "conditional" : "ring", $"{m.Name} names no training task, so its samples cannot be scored");

    private ReferenceSet ReferenceOf(SweepModel m)
    {
        var (data, name) = Reference(m);
        return new ReferenceSet(data, name);
    }

    public async Task<ReproductionOutcome> RunAsync(string outDir, CancellationToken cancel)
    {
        var (scale, seed) = (spec.Scale, spec.Seed);
        var judge = _pipeline.JudgeFor(spec.Conditional.Network.Metadata); // the one the chips' cells decode through
        // Both samplers, the headline's first: the authors' board runs the reverse SDE (PAPER.md).
        var tasks = new List<(TaskRun Run, DigitalTiming Timing)>();
        foreach (var sampler in new[] { ReproductionText.HeadlineSampler, SamplerKind.Ode })
        {
            tasks.Add(await TaskAsync("ring", "unconditional (ring)", spec.Ring, scale.RingSteps, scale.RingSamples, null, sampler, outDir, cancel));
            tasks.Add(await TaskAsync("conditional", $"conditional ({spec.Conditional.Name}, latent diffusion)", spec.Conditional, scale.ConditionalSteps, scale.ConditionalPerClass, judge, sampler, outDir, cancel));
        }
        // The co-design claim: hardware-aware training degrades less under programming noise (ideal profile plus noise).
        var codesignPlan = SweepPlan.Expand([spec.Ring, spec.Noiseless], HardwareProfile.Resolve("ideal"), [SweepAxis.ProgrammingSigma(scale.Sigmas)], scale.Chips,
            new AnalogRunOptions { Kind = SamplerKind.Ode, Seed = seed }, scale.CodesignSamples, _ => [], m => $"{Reference(m).Name}@{seed}");
        var references = new Dictionary<SweepModel, ReferenceSet?> { [spec.Ring] = ReferenceOf(spec.Ring), [spec.Noiseless] = ReferenceOf(spec.Noiseless) };
        var codesign = await new SweepRunner(_pipeline, progress, log, parallel: 2).RunAsync(codesignPlan, Path.Combine(outDir, "codesign"), references, "co-design sweep", cancel);
        var points = SweepSummary.Aggregate(codesignPlan, codesign.Cells, SweepMetric.KlPaper);
        // The last digital round of every task, after the co-design sweep: its rounds now lie minutes apart.
        foreach (var (_, timing) in tasks) timing.Measure(ReproductionText.TimingRounds);
        var runs = tasks.Select(t => t.Run with { Digital = DigitalBaseline.Least(t.Timing.Rounds) }).ToList();
        return new ReproductionOutcome(spec, runs, codesignPlan, points, ReproductionText.Assumptions(spec, runs[0].Digital));
    }

    /// <summary>
    /// A task's digital timing, measured in rounds spread over the run — the first before its analog chips, the second after
    /// them, the last after everything — because another tenant of a shared machine slows the same work for tens of seconds at
    /// a time; <see cref="DigitalBaseline.Least"/> combines them.
    /// </summary>
    private sealed class DigitalTiming(Func<int, DigitalBaseline> measureRound)
    {
        public List<DigitalBaseline> Rounds { get; } = [];

        /// <summary>Measures round <paramref name="round"/> (1-based) and keeps it.</summary>
        public DigitalBaseline Measure(int round)
        {
            var measured = measureRound(round);
            Rounds.Add(measured);
            return measured;
        }
    }

    private async Task<(TaskRun, DigitalTiming)> TaskAsync(string task, string title, SweepModel model, int steps, int perLabel, ImageJudge? judge, SamplerKind sampler, string outDir, CancellationToken cancel)
    {
        string samplerName = sampler == SamplerKind.Sde ? "sde" : "ode", key = $"{task}-{samplerName}";
        var reference = Reference(model);
        int[] labels = LabelEncoder.LabelsFor(model.Network, null, perLabel);
        int count = labels.Length > 0 ? labels.Length : perLabel;
        var taskDir = Path.Combine(outDir, key);
        var digitalOptions = new SamplerOptions
        {
            Kind = sampler, Steps = steps, ScheduleScale = model.Network.Metadata.SamplingScheduleScale, Seed = spec.Seed, BatchSize = count,
        };
        var timing = new DigitalTiming(round =>
        {
            using var ort = new OnnxRuntimeScoreModel(model.Bytes, model.Network, intraOpThreads: 1);
            return DigitalBaseline.MeasureRound(ort, model.Network, count, labels, digitalOptions, threads: 1, latencyMin: 4, spec.Platform, progress, cancel,
                $" ({key}, round {round} of {ReproductionText.TimingRounds})");
        });
        var samples = timing.Measure(1).Batch;
        var digitalQuality = QualityReport.Compute(samples.Samples, samples.Labels, samples.Dim, reference.Data);
        var digitalImages = ImageDecoding.DecodeAndScore(judge, samples.Samples, samples.Labels, reference.Data);
        keep(new KeptSamples(Path.Combine(taskDir, "digital"), $"{model.Name} — digital ({steps} {(sampler == SamplerKind.Sde ? "Euler–Maruyama" : "probability-flow Euler")} steps)", samples.Samples, samples.Labels, samples.Dim, model, reference.Data, digitalImages));
        cancel.ThrowIfCancellationRequested();

        var plan = SweepPlan.Expand([model], spec.Hardware, [], spec.Scale.Chips, new AnalogRunOptions { Kind = sampler, Seed = spec.Seed }, perLabel,
            _ => labels, _ => $"{reference.Name}@{spec.Seed}");
        string chipDir = Path.Combine(taskDir, "analog-chip1");
        var runner = new SweepRunner(_pipeline, progress, log, parallel: 2)
        {
            // A kept chip 1 has no samples on disk to plot: run it again when its plots are missing.
            RunAgain = c => c.Chip == 1 && !Directory.Exists(chipDir),
            OnResult = (cell, outcome) =>
            {
                if (cell.Chip != 1) return;
                var result = outcome.Result;
                keep(new KeptSamples(chipDir, $"{model.Name} — analog {samplerName} on {spec.Hardware.Name}, chip 1", result.Samples, result.Labels, result.Dim, model, reference.Data, outcome.Images));
            },
        };
        var results = await runner.RunAsync(plan, taskDir, new Dictionary<SweepModel, ReferenceSet?> { [model] = ReferenceOf(model) }, $"{title}, {samplerName}", cancel);
        var metric = judge is not null ? SweepMetric.DecodedClassAccuracy : SweepMetric.KlPaper;
        timing.Measure(2);
        var run = new TaskRun(key, task, title, model, judge is not null, sampler, DigitalBaseline.Least(timing.Rounds), steps, digitalQuality, digitalImages?.Quality, plan,
            SweepSummary.Aggregate(plan, results.Cells, metric), results.Cells);
        return (run, timing);
    }
}
