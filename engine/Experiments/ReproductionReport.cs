using System.Text.Json;
using System.Text.Json.Nodes;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Experiments;

/// <summary>What a reproduction's figures rest on, in words (reproduction.md and reproduction.json list them).</summary>
public static class ReproductionText
{
    /// <summary>The sampler of the headline: the authors' board injects noise through two noise channels, scaled by β, i.e. it
    /// runs the reverse SDE (PAPER.md, "The analog machine").</summary>
    public const Diffusion.SamplerKind HeadlineSampler = Diffusion.SamplerKind.Sde;
    public const string HeadlineSamplerSource = "the authors' board runs the reverse SDE: two noise channels, one per output, from its hardware RNG scaled by β (PAPER.md, \"The analog machine\")";

    /// <summary>Rounds of the digital timing (batch and one-at-a-time interleaved), spread over the run: before a task's analog chips,
    /// after them, and after everything; each figure is the least of them (<see cref="Digital.DigitalBaseline.Least"/>).</summary>
    public const int TimingRounds = 3;

    public static List<string> Assumptions(ReproductionSpec spec, DigitalBaseline digital)
    {
        var (scale, hardware) = (spec.Scale, spec.Hardware);
        return
        [
            $"analog machine: profile {hardware.Name}; every number in it carries its source or the word assumption (memgrid profile show {hardware.Name})",
            $"digital baseline: ONNX Runtime (1 thread) in the paper's Euler–Maruyama (SDE) and probability-flow Euler (ODE) loops on this machine; time is CPU time, the least of {TimingRounds} rounds spread over the run (batch and one at a time interleaved; another tenant only adds time); speed-up and energy ratio compare one sample at a time on each side (the analog figure is one closed loop's latency)",
            $"headline sampler: the SDE, since {HeadlineSamplerSource}; the ODE beside it. Each sampler's ratio is to its own digital figure, and the SDE's digital kl is far from the ODE's: read the absolute figures beside the ratios",
            $"digital energy: {digital.EnergySource}",
            "the paper's baseline hardware is not published: its figures were measured against the authors' own software baseline, ours against ONNX Runtime on this CPU",
            "the conditional task is latent diffusion through a VAE trained here on the UCI handwritten digits (the authors used EMNIST letters, which cannot be fetched here); its quality is the decoded images' class accuracy and Fréchet distance in the VAE classifier's features",
            $"analog quality is the mean ± standard error over {scale.Chips} chips (programming seeds 1…{scale.Chips}); the co-design sweep runs the ideal profile plus the paper's truncated-multiplicative programming noise (truncation 2σ)",
            .. spec.Quick ? new[] { $"--quick: {scale.RingSamples} ring samples with {scale.RingSteps} digital steps (the paper: {PaperFigures.UnconditionalSteps}), {scale.ConditionalPerClass} per class with {scale.ConditionalSteps} steps (the paper: {PaperFigures.ConditionalSamplesPerClass} with {PaperFigures.ConditionalSteps}), {scale.Chips} chips: sampling noise is larger and the digital time smaller than the full run's" } : [],
        ];
    }
}

/// <summary><c>reproduction.json</c>: every task's digital and analog figures beside the paper's, the co-design sweep, assumptions and provenance.</summary>
public static class ReproductionReport
{
    private static JsonObject Stats(ChipStatistics s) => new() { ["mean"] = s.Mean, ["standard_error"] = s.StandardError, ["chips"] = s.Chips };

    public static JsonObject Json(ReproductionOutcome outcome)
    {
        var spec = outcome.Spec;
        var tasks = new JsonObject();
        foreach (var run in outcome.Tasks) tasks[run.Key] = Task(run);
        var axis = outcome.CodesignPlan.Axes[0].Name;
        return new JsonObject
        {
            ["kind"] = "reproduction",
            ["quick"] = spec.Quick,
            ["profile"] = spec.Hardware.Name,
            ["platform"] = spec.Platform.Name,
            ["chips"] = spec.Scale.Chips,
            ["headline_sampler"] = "sde",
            ["headline_sampler_source"] = ReproductionText.HeadlineSamplerSource,
            ["paper_digital_seconds_per_step"] = PaperFigures.IedmDigitalSeconds / PaperFigures.ConditionalSteps,
            ["tasks"] = tasks,
            ["iedm_2024"] = new JsonObject
            {
                ["analog_seconds"] = PaperFigures.IedmAnalogSeconds, ["analog_joules"] = PaperFigures.IedmAnalogJoules,
                ["digital_seconds"] = PaperFigures.IedmDigitalSeconds, ["digital_joules"] = PaperFigures.IedmDigitalJoules,
            },
            ["codesign"] = new JsonArray(outcome.Codesign.Select(p => (JsonNode)new JsonObject
            {
                ["model"] = p.Model.Name,
                [axis] = p.Settings[0],
                ["kl_paper"] = p.Quality is { } q ? Stats(q) : null,
            }).ToArray()),
            ["assumptions"] = new JsonArray(outcome.Assumptions.Select(a => (JsonNode)a).ToArray()),
            ["provenance"] = JsonSerializer.SerializeToNode(spec.Provenance(), ReportWriter.Default.Provenance),
        };
    }

    private static JsonObject Task(TaskRun run) => new()
    {
        ["task"] = run.Task,
        ["sampler"] = run.SamplerName,
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
            ["time_per_step_batched_seconds"] = run.Digital.ThroughputSecondsPerStep,
            ["batch_cpu_seconds_per_round"] = new JsonArray(run.Digital.BatchCpuSecondsPerRound.Select(v => (JsonNode)v).ToArray()),
            ["latency_seconds_per_round"] = new JsonArray(run.Digital.LatencySecondsPerRound.Select(v => (JsonNode)v).ToArray()),
            ["machine_probe_seconds_per_round"] = new JsonArray(run.Digital.ProbeSecondsPerRound.Select(v => (JsonNode)v).ToArray()),
            ["energy_per_sample_joules"] = run.Digital.EnergyPerSampleJoules,
            ["energy_per_sample_batched_joules"] = run.Digital.EnergyPerSampleBatchedJoules,
            ["energy_source"] = run.Digital.EnergySource,
        },
        ["analog"] = new JsonObject
        {
            ["kl_paper"] = Stats(run.Over(m => m.KlPaper)),
            ["kl_paper_over_digital"] = run.DigitalQuality?.KlPaper is { } dk && dk > 0 ? Stats(run.Over(m => m.KlPaper / dk)) : null,
            ["decoded_class_accuracy"] = run.Conditional ? Stats(run.Over(m => m.DecodedClassAccuracy)) : null,
            ["decoded_frechet_distance"] = run.Conditional ? Stats(run.Over(m => m.FrechetDistance)) : null,
            ["time_per_sample_seconds"] = run.AnalogSeconds,
            ["energy_per_sample_joules"] = run.AnalogJoules,
            ["energy_per_sample_low_joules"] = run.AnalogJoulesBand?.Low,
            ["energy_per_sample_high_joules"] = run.AnalogJoulesBand?.High,
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
}
