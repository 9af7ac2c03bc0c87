using System.Diagnostics;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Randomness;
using MemristorGrid.Engine.Simulation;

namespace MemristorGrid.Engine.Digital;


/// <summary>Settings of the paper's fixed-step digital samplers.</summary>
public sealed record SamplerOptions
{
    public SamplerKind Kind { get; init; } = SamplerKind.Ode;
    public int Steps { get; init; } = 1000;

    /// <summary>100 × the paper's 10 000 steps: more is refused before any work (2·10⁹ once promised six hours).</summary>
    public const int MaxSteps = 1_000_000;
    public double StartTime { get; init; } = 1.0;
    public double EndTime { get; init; } = 1e-4;
    public double ScheduleScale { get; init; } = 1.0;
    public float GuidanceWeight { get; init; }
    public int BatchSize { get; init; } = 10_000;
    public ulong Seed { get; init; } = 1;

    public void Validate()
    {
        UserInputException.Require(Steps is >= 1 and <= MaxSteps, "steps", $"must be 1 … {MaxSteps} (got {Steps}): the paper uses 10 000");
        UserInputException.Require(StartTime > EndTime && EndTime > 0, "end_time", $"must be positive and below start_time (got {StartTime} → {EndTime})");
        UserInputException.Require(ScheduleScale > 0 && double.IsFinite(ScheduleScale), "schedule_scale", $"must be positive (got {ScheduleScale})");
        UserInputException.Require(float.IsFinite(GuidanceWeight) && GuidanceWeight >= 0, "guidance_weight", $"must be ≥ 0 (got {GuidanceWeight})");
        UserInputException.Require(BatchSize >= 1, "batch_size", $"must be at least 1 (got {BatchSize})");
    }

    /// <summary><see cref="Validate"/>, and what the model must offer these settings: guidance needs labels.</summary>
    public void ValidateFor(Networks.IScoreNetworkInfo network)
    {
        Validate();
        ClassifierFreeGuidance.RequireConditional(GuidanceWeight, network.IsConditional);
    }
}

public sealed record SamplingResult(float[] Samples, int[] Labels, int Dim, int ScoreEvaluations, TimeSpan Wall);

/// <summary>
/// The digital baseline's samplers, as the authors run them: Euler–Maruyama on the reverse SDE,
/// x ← x − [f x − g² s] Δt + g √Δt z, or probability-flow Euler, x ← x − [f x − ½ g² s] Δt. The K
/// evaluation times are K equally spaced points from t = 1 to 1e-4 inclusive, Δt = (1 − 1e-4)/K, and
/// the last step returns the mean (no noise), starting from the prior N(0, σ_prior²). Noise for sample i
/// at step k is draw (i·D + j) of stream (SamplerNoise, k), so the result does not depend on the batch size.
/// </summary>
public static class DigitalSampler
{
    public static SamplingResult Sample(IScoreModel model, DiffusionSde trainingSde, int count, ReadOnlySpan<int> labels,
        SamplerOptions options, IProgress<double>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        LaneSchedule.Check(count, labels);
        if (labels.Length > 0 && model.NullLabel < 0) throw new UserInputException("labels were given but the model is unconditional");
        int d = model.Dim;
        var sde = trainingSde.WithScheduleScale(options.ScheduleScale);
        var stopwatch = Stopwatch.StartNew();
        var x = new float[count * d];
        var labelArray = labels.ToArray();
        bool guided = options.GuidanceWeight != 0 && labels.Length > 0;

        Streams.Rng(options.Seed, StreamPurpose.SamplerPrior).FillGaussian(x);
        float priorStd = (float)sde.PriorStd;
        if (priorStd != 1f) for (int i = 0; i < x.Length; i++) x[i] *= priorStd;

        int batch = Math.Min(options.BatchSize, count);
        var t = new float[batch];
        var score = new float[batch * d];
        var uncond = guided ? new float[batch * d] : [];
        var noise = new float[batch * d];
        var batchLabels = new long[labels.Length > 0 ? batch : 0];
        var nullLabels = new long[guided ? batch : 0];
        if (guided) nullLabels.AsSpan().Fill(model.NullLabel);
        double dt = (options.StartTime - options.EndTime) / options.Steps;
        int evaluations = 0;

        for (int step = 0; step < options.Steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            double time = options.Steps == 1 ? options.StartTime
                : options.StartTime - step * (options.StartTime - options.EndTime) / (options.Steps - 1);
            bool last = step == options.Steps - 1;
            var (f, g2) = sde.ReverseSdeCoefficients(time);
            float fx = (float)(f * dt);
            float scoreCoef = (float)((options.Kind == SamplerKind.Sde ? g2 : 0.5 * g2) * dt);
            float noiseCoef = (float)Math.Sqrt(g2 * dt);
            var rng = Streams.Rng(options.Seed, StreamPurpose.SamplerNoise, (ulong)step);

            for (int start = 0; start < count; start += batch)
            {
                int n = Math.Min(batch, count - start);
                var xs = x.AsSpan(start * d, n * d);
                var ts = t.AsSpan(0, n);
                ts.Fill((float)time);
                var ls = batchLabels.AsSpan(0, labels.Length > 0 ? n : 0);
                for (int i = 0; i < ls.Length; i++) ls[i] = labelArray[start + i];
                var ss = score.AsSpan(0, n * d);
                model.Evaluate(xs, ts, ls, ss);
                evaluations++;
                if (guided)
                {
                    var us = uncond.AsSpan(0, n * d);
                    model.Evaluate(xs, ts, nullLabels.AsSpan(0, n), us);
                    evaluations++;
                    Diffusion.ClassifierFreeGuidance.Combine(ss, us, options.GuidanceWeight, ss);
                }
                // Reverse-time step: x(t − Δt) = x − (f x − c g² s) Δt [+ g √Δt z].
                for (int i = 0; i < xs.Length; i++) xs[i] = xs[i] - fx * xs[i] + scoreCoef * ss[i];
                if (options.Kind == SamplerKind.Sde && !last)
                {
                    var zs = noise.AsSpan(0, n * d);
                    rng.FillGaussian(zs, (ulong)start * (ulong)d);
                    for (int i = 0; i < xs.Length; i++) xs[i] += noiseCoef * zs[i];
                }
            }
            if (progress is not null && (step & 63) == 0) progress.Report((double)(step + 1) / options.Steps);
        }
        progress?.Report(1.0);
        return new SamplingResult(x, labelArray, d, evaluations, stopwatch.Elapsed);
    }
}
