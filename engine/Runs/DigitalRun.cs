using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Data;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Metrics;
using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Runs;

/// <summary>One digital baseline run, checked once: ONNX Runtime on the model's file inside the paper's fixed-step sampler.</summary>
/// <param name="OnnxBytes">The model file as it is (what ONNX Runtime loads).</param>
public sealed record DigitalRequest(string ModelPath, byte[] OnnxBytes, IScoreNetworkInfo Network, SamplerOptions Options, int Count, int[] Labels,
    ReferenceSet? Reference, int Threads, IReadOnlyList<string> CommandLine)
{
    /// <summary>Checks the choices against the network and resolves labels and the reference; <paramref name="warn"/> receives warnings.</summary>
    public static DigitalRequest Create(string modelPath, byte[] onnxBytes, IScoreNetworkInfo net, SamplerOptions options, int samplesPerLabel, string? labels,
        string? referenceData, int threads, IReadOnlyList<string> commandLine, Action<string> warn)
    {
        UserInputException.Require(samplesPerLabel >= 1, "samples", $"must be at least 1 (got {samplesPerLabel})");
        MemoryBudget.RequireSamples((long)samplesPerLabel * Math.Max(1, net.ClassCount), net.InputDim, "samples");
        int[] intended = LabelEncoder.LabelsFor(net, labels, samplesPerLabel);
        int count = intended.Length > 0 ? intended.Length : samplesPerLabel;
        options.ValidateFor(net);
        var reference = ReferenceResolver.Resolve(referenceData, net.Metadata, options.Seed, Math.Max(count, 10_000), warn);
        if (reference is null) warn("warning: the model names no training task and no --reference-data was given; quality metrics are omitted");
        return new DigitalRequest(Path.GetFullPath(modelPath), onnxBytes, net, options, count, intended,
            reference is { } r ? new ReferenceSet(r.Data, r.Name) : null, threads, commandLine);
    }
}

/// <summary>A finished digital run: samples, scores and the typed report.</summary>
public sealed record DigitalOutcome(DigitalRequest Request, SamplingResult Result, QualityReport? Quality, DecodedImages? Images, BaselineReport Report);

/// <summary><c>memgrid baseline</c>'s pipeline: sample → score → decode a latent model's samples → report.</summary>
public static class DigitalRun
{
    /// <param name="cancel">The user's signal: the sampler checks it every step (a run of 2·10⁹ steps once ignored SIGTERM).</param>
    public static async Task<DigitalOutcome> RunAsync(DigitalRequest r, IWorkProgress progress, CancellationToken cancel = default)
    {
        var o = r.Options;
        SamplingResult result;
        using (var ort = new OnnxRuntimeScoreModel(r.OnnxBytes, r.Network, r.Threads))
            result = await progress.RunAsync($"baseline {o.Kind.ToString().ToLowerInvariant()} × {o.Steps} steps", r.Count, "samples",
                p => Task.FromResult(DigitalSampler.Sample(ort, r.Network.Metadata.CreateSde(), r.Count, r.Labels, o, p, cancel)));
        var quality = r.Reference?.Score(result.Samples, result.Labels, result.Dim);
        var images = ImageDecoding.DecodeAndScore(ImageDecoding.JudgeOf(r.Network.Metadata), result.Samples, result.Labels, r.Reference?.Data);
        bool conditional = r.Labels.Length > 0;
        var report = new BaselineReport
        {
            Model = r.ModelPath,
            Sampler = o.Kind == SamplerKind.Ode ? "ode" : "sde",
            Samples = r.Count,
            Steps = o.Steps,
            ScheduleScale = o.ScheduleScale,
            Guidance = o.GuidanceWeight,
            Seed = o.Seed,
            Reference = r.Reference?.Name,
            KlPaper = quality?.KlPaper,
            Kl2D = quality?.Kl2D,
            EnergyDistance = quality?.EnergyDistance,
            ModeCoverage = quality?.Modes,
            WallSeconds = result.Wall.TotalSeconds,
            SecondsPerSample = result.Wall.TotalSeconds / r.Count,
            ScoreEvaluations = result.ScoreEvaluations,
            Labels = conditional ? r.Labels.Distinct().Select(l => r.Network.ClassNames[l]).ToList() : null,
            ClassAccuracy = conditional ? quality?.ClassAccuracy?.Overall : null,
            ClassAccuracyPerClass = conditional ? quality?.ClassAccuracy?.PerClass : null,
            PerClass = RunReportBuilder.PerClass(quality),
            Images = images is null ? null : RunReportBuilder.Images(images),
            Provenance = Provenance.Of([(Path.GetFileName(r.ModelPath), r.OnnxBytes), .. Provenance.LatentFiles(r.Network.Metadata)], null, o.Seed, r.CommandLine),
        };
        return new DigitalOutcome(r, result, quality, images, report);
    }
}
