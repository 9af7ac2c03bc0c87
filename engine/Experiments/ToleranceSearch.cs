using System.Globalization;
using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Runs;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Experiments;

/// <summary>What a user asked of a tolerance search, before anything is checked.</summary>
public sealed record ToleranceSpec
{
    public required SweepModel Model { get; init; }
    public string Profile { get; init; } = "rram-180nm";
    public IReadOnlyList<string> ProfileSettings { get; init; } = [];

    /// <summary>The figures to bisect; empty = <see cref="ToleranceParameter.Defaults"/>.</summary>
    public IReadOnlyList<ToleranceParameter> Parameters { get; init; } = [];

    /// <summary>null = kl_paper, or a latent model's decoded class accuracy.</summary>
    public SweepMetric? Metric { get; init; }
    public double? MaxRatio { get; init; }
    public double? MaxDrop { get; init; }
    public int Chips { get; init; } = 5;
    public int SamplesPerLabel { get; init; } = 2000;
    public AnalogRunOptions Options { get; init; } = new();

    /// <summary>Bisection steps per parameter (each halves the bracket) and for the combined point.</summary>
    public int Steps { get; init; } = 5;

    /// <summary>Euler steps of the digital sampler the budget is measured against.</summary>
    public int DigitalSteps { get; init; } = 1000;

    /// <summary>Where the other searched parameters sit while one is bisected: false = their good ends (the figure alone on an
    /// otherwise perfect device), true = the profile's stated values (the figure alone changed on the device as it is).</summary>
    public bool OthersAsStated { get; init; }
    public string? ReferenceData { get; init; }
    public IReadOnlyList<string> CommandLine { get; init; } = [];
}

/// <summary>A tolerance search, checked once: the base profile, the parameters (each checked at both ends), the budget, the reference.</summary>
public sealed record ToleranceRequest(ToleranceSpec Spec, HardwareProfile BaseProfile, IReadOnlyList<ToleranceParameter> Parameters, ToleranceBudget Budget,
    ReferenceSet Reference, int[] Labels)
{
    public const int MaxSteps = 20;

    public static ToleranceRequest Create(ToleranceSpec spec, Action<string> warn)
    {
        var net = spec.Model.Network;
        UserInputException.Require(spec.Steps is >= 1 and <= MaxSteps, "steps", $"must be 1 … {MaxSteps} (got {spec.Steps})");
        UserInputException.Require(spec.Chips is >= 1 and <= SweepPlan.MaxChips, "chips", $"must be 1 … {SweepPlan.MaxChips} (got {spec.Chips})");
        var profile = HardwareProfile.Resolve(spec.Profile).Apply(spec.ProfileSettings);
        var parameters = spec.Parameters.Count > 0 ? spec.Parameters : ToleranceParameter.Defaults(profile);
        if (parameters.Select(p => p.Key).Distinct().Count() != parameters.Count)
            throw UserInputException.ForSetting("parameter", "names one key twice");
        foreach (var p in parameters) { p.Apply(profile, p.Good); p.Apply(profile, p.Bad); }
        var metric = spec.Metric ?? (ImageDecoding.IsLatent(net.Metadata) ? SweepMetric.DecodedClassAccuracy : SweepMetric.KlPaper);
        if (metric.NeedsDecoder() && !ImageDecoding.IsLatent(net.Metadata))
            throw UserInputException.ForSetting("metric", $"{metric.Key()} needs a latent model (trained with --task latent:VAE.onnx)");
        if (metric == SweepMetric.ClassAccuracy && !net.IsConditional)
            throw UserInputException.ForSetting("metric", "class_accuracy needs a conditional model");
        var budget = ToleranceBudget.Create(metric, spec.MaxRatio, spec.MaxDrop);
        var found = ReferenceResolver.Resolve(spec.ReferenceData, net.Metadata, spec.Options.Seed, 10_000, warn)
            ?? throw UserInputException.ForSetting("reference_data", $"is needed: {spec.Model.Name} names no training task to judge its samples against");
        int[] labels = LabelEncoder.LabelsFor(net, null, spec.SamplesPerLabel);
        return new ToleranceRequest(spec, profile, parameters, budget, new ReferenceSet(found.Data, found.Name), labels);
    }

    public int Count => Labels.Length > 0 ? Labels.Length : Spec.SamplesPerLabel;
}

/// <summary>A finished search: the digital figure the budget is relative to, every parameter's finding, and the combined point.</summary>
/// <param name="Combined">The combined point's probes, the last meeting the budget (all parameters at once, scaled back toward their good ends until it does).</param>
public sealed record ToleranceOutcome(ToleranceRequest Request, double Digital, IReadOnlyList<ToleranceFinding> Findings, IReadOnlyList<ToleranceProbe> Combined,
    ToleranceProbe? CombinedPoint, string Machine);

/// <summary>
/// <c>memgrid tolerance</c>'s experiment: for each parameter, with every other searched parameter at its good end and the rest of the
/// profile as stated, bisect the fraction of the way from good to bad at which the mean quality over the chips still meets the
/// budget; then put every parameter at its threshold at once and, if that misses, scale all of them back toward their good ends
/// together. Every probe is a sweep cell per chip (<see cref="SweepRunner"/>), kept in <c>OUT/cells/</c>: a search run again
/// resumes, and probes it shares (the all-good point) run once.
/// </summary>
public sealed class ToleranceSearch(ToleranceRequest request, IAnalogMachine machine, IWorkProgress progress, Action<string> log, int parallel)
{
    private readonly RunPipeline _pipeline = new(machine);

    public async Task<ToleranceOutcome> RunAsync(string outDir, CancellationToken cancel)
    {
        double digital = await DigitalAsync(cancel);
        var limit = request.Budget.Limit(digital);
        log(string.Create(CultureInfo.InvariantCulture, $"digital {request.Budget.Metric.Key()} {digital:G4}; budget: {request.Budget.Describe()}, i.e. {(request.Budget.Metric.HigherIsBetter() ? "≥" : "≤")} {limit:G4}"));
        var findings = new List<ToleranceFinding>();
        foreach (var parameter in request.Parameters)
            findings.Add(await BisectAsync(parameter, digital, outDir, cancel));
        var (combined, point) = await CombineAsync(findings, digital, outDir, cancel);
        return new ToleranceOutcome(request, digital, findings, combined, point, machine.Description);
    }

    private async Task<ToleranceFinding> BisectAsync(ToleranceParameter parameter, double digital, string outDir, CancellationToken cancel)
    {
        var probes = new List<ToleranceProbe>();
        async Task<bool> Meets(double f)
        {
            var probe = await ProbeAsync(parameter.Key, f, request.Parameters.Select(p => (p, p == parameter ? parameter.At(f) : Other(p))).ToList(), digital, outDir, cancel);
            probes.Add(probe);
            return probe.Meets;
        }
        if (!await Meets(0)) return new ToleranceFinding(parameter, null, parameter.Good, true, probes);
        if (await Meets(1)) return new ToleranceFinding(parameter, parameter.Bad, null, false, probes);
        double lo = 0, hi = 1;
        for (int step = 0; step < request.Spec.Steps; step++)
        {
            double mid = (lo + hi) / 2;
            if (await Meets(mid)) lo = mid; else hi = mid;
        }
        return new ToleranceFinding(parameter, parameter.At(lo), parameter.At(hi), false, probes);
    }

    private double Other(ToleranceParameter p) => request.Spec.OthersAsStated ? p.Stated(request.BaseProfile) : p.Good;

    private async Task<(IReadOnlyList<ToleranceProbe>, ToleranceProbe?)> CombineAsync(IReadOnlyList<ToleranceFinding> findings, double digital, string outDir, CancellationToken cancel)
    {
        var probes = new List<ToleranceProbe>();
        if (findings.Any(f => f.GoodEndFails)) return (probes, null);
        // Each parameter's own threshold as a fraction of its range; all scaled by s ∈ [0, 1] together.
        var fractions = findings.Select(f => f.Probes.Where(p => p.Meets).Max(p => p.Fraction)).ToArray();
        async Task<ToleranceProbe> At(double s)
        {
            var probe = await ProbeAsync("combined", s, request.Parameters.Select((p, i) => (p, p.At(s * fractions[i]))).ToList(), digital, outDir, cancel);
            probes.Add(probe);
            return probe;
        }
        var full = await At(1);
        if (full.Meets) return (probes, full);
        double lo = 0, hi = 1;
        ToleranceProbe? best = null;
        for (int step = 0; step < request.Spec.Steps; step++)
        {
            double mid = (lo + hi) / 2;
            var probe = await At(mid);
            if (probe.Meets) { lo = mid; best = probe; } else hi = mid;
        }
        return (probes, best ?? await At(0));
    }

    private async Task<ToleranceProbe> ProbeAsync(string search, double fraction, IReadOnlyList<(ToleranceParameter P, double Value)> values, double digital,
        string outDir, CancellationToken cancel)
    {
        var spec = request.Spec;
        var axes = values.Select(v => new SweepAxis(v.P.Key, [v.P.Format(v.Value)], (profile, _) => v.P.Apply(profile, v.Value))).ToList();
        var plan = SweepPlan.Expand([spec.Model], request.BaseProfile, axes, spec.Chips, spec.Options, spec.SamplesPerLabel, _ => request.Labels,
            _ => $"{request.Reference.Name}@{spec.Options.Seed}");
        var runner = new SweepRunner(_pipeline, progress, log, parallel);
        var results = await runner.RunAsync(plan, outDir, new Dictionary<SweepModel, ReferenceSet?> { [spec.Model] = request.Reference },
            $"tolerance: {search} at {fraction:0.###} of its range", cancel);
        var quality = SweepSummary.Aggregate(plan, results.Cells, request.Budget.Metric).Single().Quality
            ?? throw new InvalidOperationException($"the cells of {search} gave no {request.Budget.Metric.Key()}");
        bool meets = request.Budget.Meets(quality.Mean, digital);
        log(string.Create(CultureInfo.InvariantCulture,
            $"{search} at {string.Join(", ", values.Where(v => search == "combined" || v.P.Key == search).Select(v => $"{v.P.Key}={v.P.Format(v.Value)}"))}: " +
            $"{request.Budget.Metric.Key()} {quality.Mean:G4} ± {quality.StandardError:G2} ({quality.Mean / digital:0.00}× digital) — {(meets ? "meets" : "misses")} the budget"));
        return new ToleranceProbe(search, fraction, values.Select(v => (v.P.Key, v.P.Format(v.Value))).ToList(), quality, meets);
    }

    /// <summary>The digital sampler's figure on the same samples count, labels, sampler, schedule and seed (ONNX Runtime, one thread).</summary>
    private Task<double> DigitalAsync(CancellationToken cancel)
    {
        var spec = request.Spec;
        var net = spec.Model.Network;
        var options = new SamplerOptions
        {
            Kind = spec.Options.Kind, Steps = spec.DigitalSteps, ScheduleScale = net.Metadata.SamplingScheduleScale, GuidanceWeight = spec.Options.GuidanceWeight,
            Seed = spec.Options.Seed, BatchSize = request.Count,
        };
        options.ValidateFor(net);
        return progress.RunAsync($"digital baseline × {spec.DigitalSteps} steps", request.Count, "samples", p =>
        {
            using var ort = new OnnxRuntimeScoreModel(spec.Model.Bytes, net, intraOpThreads: 1);
            var result = DigitalSampler.Sample(ort, net.Metadata.CreateSde(), request.Count, request.Labels, options, p, cancel);
            var quality = QualityReport.Compute(result.Samples, result.Labels, result.Dim, request.Reference.Data);
            var images = ImageDecoding.DecodeAndScore(_pipeline.JudgeFor(net.Metadata), result.Samples, result.Labels, request.Reference.Data, new ImageDecoder(DecoderKinds.Engine));
            return Task.FromResult(request.Budget.Metric.Of(CellMetrics.OfQuality(quality, images?.Quality))
                ?? throw new UserInputException($"the digital samples give no {request.Budget.Metric.Key()}"));
        });
    }
}
