using MemristorGrid.Engine.Data;

namespace MemristorGrid.Engine.Metrics;

/// <summary>One mode of the reference (a class, or a mixture's component given as a label column) and how the samples cover it.</summary>
/// <param name="ReferenceWeight">Its share of the reference points (of the samples asked for it, in a conditional run: 1).</param>
/// <param name="SampleWeight">The share of samples inside it: nearest to its centre and within its radius (in a conditional run, of the
/// samples labelled with it).</param>
public sealed record ModeCover(string Mode, double ReferenceWeight, double SampleWeight, bool Recovered);

/// <summary>
/// Whether the samples recover every mode of the reference, which a pooled metric can miss: a model that empties two blobs of a mixture
/// into an arc between them keeps a fair kl_paper. Each mode is a label of the reference (its classes, or a mixture's components given
/// as a label column): its centre is the mean of its reference points and its radius the distance within which 95 % of them lie.
/// Unconditioned, a sample counts for the mode whose centre is nearest if it lies within that mode's radius; conditioned, a sample
/// labelled k counts for mode k if it lies within k's radius. A mode is recovered when its samples reach half the share the reference
/// would give it (0.95 × its weight). The weight error is the total-variation distance between the in-mode samples' mode shares and the
/// reference's (0 when they match; an unconditioned run only).
/// </summary>
public sealed record ModeCoverage(int Modes, int Recovered, double InModeFraction, double? WeightError, IReadOnlyList<ModeCover> PerMode)
{
    /// <summary>The share of a mode's own reference points inside its radius.</summary>
    public const double RadiusQuantile = 0.95;

    public static ModeCoverage? Compute(ReadOnlySpan<float> samples, ReadOnlySpan<int> labels, int dim, Dataset reference)
    {
        if (!reference.IsLabelled || samples.Length == 0) return null;
        int modes = reference.ClassNames.Count, n = samples.Length / dim;
        var centres = new double[modes * dim];
        var counts = new int[modes];
        for (int i = 0; i < reference.Count; i++)
        {
            int k = reference.Labels![i];
            counts[k]++;
            var row = reference.Row(i);
            for (int j = 0; j < dim; j++) centres[k * dim + j] += row[j];
        }
        for (int k = 0; k < modes; k++)
            for (int j = 0; j < dim; j++) centres[k * dim + j] /= Math.Max(counts[k], 1);
        var radius = new double[modes];
        for (int k = 0; k < modes; k++)
        {
            var distances = Enumerable.Range(0, reference.Count).Where(i => reference.Labels![i] == k)
                .Select(i => Distance(reference.Row(i), centres.AsSpan(k * dim, dim))).Order().ToArray();
            radius[k] = distances.Length == 0 ? 0 : distances[Math.Min(distances.Length - 1, (int)Math.Ceiling(RadiusQuantile * distances.Length) - 1)];
        }
        bool conditioned = labels.Length > 0;
        var inside = new int[modes];
        var asked = new int[modes];
        for (int i = 0; i < n; i++)
        {
            var x = samples.Slice(i * dim, dim);
            int k = conditioned ? labels[i] : Nearest(x, centres, modes, dim);
            if (k < 0 || k >= modes) continue;
            asked[k]++;
            if (counts[k] > 0 && Distance(x, centres.AsSpan(k * dim, dim)) <= radius[k]) inside[k]++;
        }
        var present = Enumerable.Range(0, modes).Where(k => counts[k] > 0 && (!conditioned || asked[k] > 0)).ToArray();
        var perMode = present.Select(k =>
        {
            double referenceWeight = conditioned ? 1 : (double)counts[k] / reference.Count;
            double sampleWeight = conditioned ? (double)inside[k] / asked[k] : (double)inside[k] / n;
            return new ModeCover(reference.ClassNames[k], referenceWeight, sampleWeight, sampleWeight >= 0.5 * RadiusQuantile * referenceWeight);
        }).ToArray();
        double inMode = conditioned ? (double)present.Sum(k => inside[k]) / Math.Max(present.Sum(k => asked[k]), 1) : (double)inside.Sum() / n;
        double? weightError = null;
        if (!conditioned)
        {
            double total = perMode.Sum(m => m.SampleWeight);
            weightError = 0.5 * perMode.Sum(m => Math.Abs((total > 0 ? m.SampleWeight / total : 0) - m.ReferenceWeight));
        }
        return new ModeCoverage(perMode.Length, perMode.Count(m => m.Recovered), inMode, weightError, perMode);
    }

    private static int Nearest(ReadOnlySpan<float> x, double[] centres, int modes, int dim)
    {
        int best = -1;
        double bestDistance = double.PositiveInfinity;
        for (int k = 0; k < modes; k++)
        {
            double d = Distance(x, centres.AsSpan(k * dim, dim));
            if (d < bestDistance) (best, bestDistance) = (k, d);
        }
        return best;
    }

    private static double Distance(ReadOnlySpan<float> x, ReadOnlySpan<double> centre)
    {
        double sum = 0;
        for (int j = 0; j < x.Length; j++) sum += (x[j] - centre[j]) * (x[j] - centre[j]);
        return Math.Sqrt(sum);
    }
}
