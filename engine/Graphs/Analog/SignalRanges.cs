using MemristorGrid.Engine.Accounting;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Graphs.Analog;

/// <summary>
/// Gain staging for a general graph: the largest magnitude every runtime value takes on probe trajectories
/// of the digital model (the probability-flow ODE from the prior, the loop design's probe seed), so that
/// each value can be carried at a voltage scale that fits the circuit it passes through — the activation
/// rail, a DAC's or an ADC's full scale, the TIAs' swing. A designer sets such gains once per network; the
/// paper's small MLP needs none. The probe is fixed, so the ranges (and the samples) are a pure function of
/// the model and the run's schedule.
/// </summary>
public sealed class SignalRanges
{
    /// <summary>The share of a circuit's range the probe's largest value is mapped to (headroom for what the probe missed).</summary>
    public const double Headroom = 0.8;

    private SignalRanges(double[] peaks) => Peaks = peaks;

    /// <summary>Largest |value| per runtime value id over the probe.</summary>
    public double[] Peaks { get; }

    /// <summary>Ranges probed elsewhere (a deployment's gain staging, as the client probed it), for <paramref name="graph"/>.</summary>
    public static SignalRanges FromPeaks(ScoreGraph graph, double[] peaks) => peaks.Length == graph.Values.Count ? new(peaks)
        : throw new ArgumentException($"{peaks.Length} gain-staging peaks for a graph of {graph.Values.Count} values");

    /// <summary>The factor that carries a value of range <paramref name="peak"/> through a circuit of range <paramref name="range"/>:
    /// the value is divided by it on the way in and multiplied back on the way out (1 for an ideal, unbounded circuit).</summary>
    public static float Scale(double peak, float range) =>
        float.IsFinite(range) && range > 0 && peak > 0 ? (float)Math.Clamp(peak / (Headroom * range), 1e-3, 1e6) : 1f;

    public static SignalRanges Probe(ScoreGraph graph, double scheduleScale, double start, double end, int samples = 8, int points = 11)
    {
        var sde = graph.Metadata.CreateSde().WithScheduleScale(scheduleScale);
        int d = graph.InputDim;
        var run = new GraphRun(graph, samples);
        var x = new float[samples * d];
        Streams.Rng(LoopDesigner.ProbeSeed, StreamPurpose.SamplerPrior).FillGaussian(x, 0);
        for (int i = 0; i < x.Length; i++) x[i] *= (float)sde.PriorStd;
        var t = new float[samples];
        var score = new float[samples * d];
        long[] labels = graph.IsConditional ? Enumerable.Range(0, samples).Select(i => (long)(i % (graph.ClassCount + 1))).ToArray() : [];
        var peaks = new double[graph.Values.Count];
        double dt = (start - end) / (points - 1);
        for (int k = 0; k < points; k++)
        {
            double tau = start - k * dt;
            Array.Fill(t, (float)tau);
            graph.Forward(x, t, labels, score, run);
            for (int v = 0; v < peaks.Length; v++)
                foreach (float value in run.Buffer(v)) peaks[v] = Math.Max(peaks[v], Math.Abs(value));
            var (f, g2) = sde.ReverseSdeCoefficients(tau);
            for (int i = 0; i < x.Length; i++) x[i] -= (float)(dt * (f * x[i] - 0.5 * g2 * score[i]));
        }
        return new SignalRanges(peaks);
    }
}
