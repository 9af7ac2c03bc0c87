using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Runs;

namespace MemristorGrid.Engine.Experiments;

/// <summary>How the digital side of a comparison runs: its Euler steps, ONNX Runtime threads, the fewest samples
/// timed one at a time, and the platform its energy is charged to when no energy counter is readable.</summary>
public sealed record CompareSettings(int Steps, int Threads, int LatencySamples, DigitalPlatform Platform);

/// <summary>A finished comparison: both sides' samples and scores, and the typed report.</summary>
public sealed record CompareOutcome(RunOutcome Analog, DigitalBaseline Digital, SamplerOptions DigitalOptions, QualityReport? DigitalQuality,
    DecodedImages? DigitalImages, CompareReport Report);

/// <summary>
/// <c>memgrid compare</c>'s experiment: the digital baseline (ONNX Runtime in the paper's Euler loop, CPU time, batched
/// and one at a time) and the analog machine (the <see cref="RunPipeline"/>) on the same request, side by side.
/// </summary>
public static class Comparison
{
    /// <summary>The digital sampler for <paramref name="request"/>: same sampler kind, schedule, guidance and seed; all samples in one batch.</summary>
    public static SamplerOptions DigitalOptions(RunRequest request, int steps)
    {
        var o = request.Options;
        var options = new SamplerOptions
        {
            Kind = o.Kind, Steps = steps, ScheduleScale = o.ScheduleScale, GuidanceWeight = o.GuidanceWeight, Seed = o.Seed, BatchSize = request.Count,
        };
        options.ValidateFor(request.Network);
        return options;
    }

    public static async Task<CompareOutcome> RunAsync(RunRequest r, CompareSettings settings, RunPipeline pipeline, IWorkProgress progress, CancellationToken cancel)
    {
        var digitalOptions = DigitalOptions(r, settings.Steps);
        DigitalBaseline baseline;
        using (var ort = new OnnxRuntimeScoreModel(r.ModelBytes, r.Network, settings.Threads))
            baseline = DigitalBaseline.Measure(ort, r.Network, r.Count, r.Labels, digitalOptions, settings.Threads, settings.LatencySamples, settings.Platform, progress, cancel);
        cancel.ThrowIfCancellationRequested();
        var analog = await pipeline.RunAsync(r, cancel);
        var digital = baseline.Batch;
        var digitalQuality = r.Reference?.Score(digital.Samples, digital.Labels, digital.Dim);
        var digitalImages = ImageDecoding.DecodeAndScore(pipeline.JudgeFor(r.Network.Metadata), digital.Samples, digital.Labels, r.Reference?.Data);
        var report = Report(r, settings, baseline, digitalQuality, digitalImages, analog);
        return new CompareOutcome(analog, baseline, digitalOptions, digitalQuality, digitalImages, report);
    }

    private static CompareReport Report(RunRequest r, CompareSettings settings, DigitalBaseline baseline, QualityReport? digitalQuality, DecodedImages? digitalImages, RunOutcome analog)
    {
        var a = analog.Report;
        var digital = baseline.Batch;
        var chosen = settings.Platform;
        var digitalSide = new DigitalSide(settings.Steps, digitalQuality?.KlPaper, digitalQuality?.ClassAccuracy?.Overall,
            digitalImages?.Quality.Pooled.ClassAccuracy, digitalImages?.Quality.Pooled.FrechetDistance, digital.Wall.TotalSeconds, baseline.CpuSeconds, baseline.CpuClockName,
            baseline.ThroughputSeconds, digital.Wall.TotalSeconds / r.Count, baseline.LatencySeconds, baseline.LatencyWallSeconds, baseline.LatencySamples,
            baseline.FlopsPerSample, baseline.EnergyPerSampleJoules, baseline.EnergyPerSampleBatchedJoules, baseline.Rapl ? "rapl" : "platform",
            baseline.Rapl ? null : new PlatformEntry(chosen.Name, chosen.Description, chosen.Watts, chosen.PeakFlops, chosen.IsTimedHere ? null : chosen.Utilisation, chosen.Source));
        var analogSide = new AnalogSide(a.KlPaper, analog.Quality?.ClassAccuracy?.Overall, a.Images?.Pooled.ClassAccuracy, a.Images?.Pooled.FrechetDistance,
            a.TimePerSampleSeconds, a.EnergyPerSampleJoules, a.WallSeconds, a.Simulator);
        return new CompareReport(r.ModelPath, r.Profile.Name, r.Count, r.Options.Seed, digitalSide, analogSide,
            baseline.SpeedUp(a.TimePerSampleSeconds), baseline.SpeedUpBatched(a.TimePerSampleSeconds),
            baseline.EnergyRatio(a.EnergyPerSampleJoules), baseline.EnergyRatioBatched(a.EnergyPerSampleJoules), Assumptions(r, settings, baseline), a.Provenance);
    }

    private static List<string> Assumptions(RunRequest r, CompareSettings s, DigitalBaseline baseline) =>
    [
        $"digital: ONNX Runtime ({s.Threads} thread(s)) in the {(r.Options.Kind == SamplerKind.Ode ? "probability-flow" : "Euler–Maruyama")} Euler loop, {s.Steps} steps on this machine",
        $"digital time is CPU time ({(s.Threads == 1 ? "of the thread that runs ONNX Runtime" : "of this process")}; wall time moves with the machine's load): batched = all {r.Count} samples in one batch (throughput); one at a time = {baseline.LatencySamples} sample(s) at batch 1 (latency)",
        "speed-up and energy ratio compare one sample at a time on each side (the analog figure is one closed loop's latency: one machine makes one sample at a time); the batched rows show what a digital batch gains",
        $"digital energy: {baseline.EnergySource}",
        $"analog: profile {r.Profile.Name}; time per sample = reset and initial load + loop settling + RC × diffusion span + readout; energy = integrated cell power + static power × time + converters + DAC updates (docs/hardware-model.md)",
    ];
}
