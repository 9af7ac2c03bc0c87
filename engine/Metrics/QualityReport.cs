using MemristorGrid.Engine.Data;

namespace MemristorGrid.Engine.Metrics;

/// <summary>The metrics of one generated class against the reference points of that class.</summary>
public sealed record ClassQuality(string Class, int Samples, double KlPaper, double EnergyDistance, double ClassAccuracy);

/// <summary>All quality metrics of one generation run against its reference.</summary>
public sealed record QualityReport(double KlPaper, double Kl2D, double EnergyDistance, ClassAccuracy? ClassAccuracy)
{
    /// <summary>Per generated class (conditional runs with a labelled reference): pooled figures hide per-class failure.</summary>
    public IReadOnlyList<ClassQuality> PerClass { get; init; } = [];

    /// <summary>How the samples cover the reference's modes (its classes or a mixture's labelled components); null for an unlabelled reference.</summary>
    public ModeCoverage? Modes { get; init; }

    /// <summary>
    /// Compares <paramref name="samples"/> with <paramref name="reference"/>. For conditional runs the
    /// histogram metrics compare against the reference restricted to the classes that were generated,
    /// in the same proportions, and class accuracy comes from a k-NN fitted on the reference.
    /// </summary>
    public static QualityReport Compute(ReadOnlySpan<float> samples, ReadOnlySpan<int> labels, int dim, Dataset reference)
    {
        if (reference.Dim != dim)
            throw new UserInputException($"the reference has {reference.Dim} dimensions but the model generates {dim}");
        float[] refPoints = reference.X;
        ClassAccuracy? accuracy = null;
        if (labels.Length > 0 && reference.IsLabelled)
        {
            accuracy = new NearestNeighbourClassifier(reference).Score(samples, labels);
            refPoints = MatchClassMix(labels, reference);
        }
        return new QualityReport(
            SampleMetrics.PaperKl(samples, refPoints),
            SampleMetrics.Histogram2DKl(samples, refPoints, dim),
            SampleMetrics.EnergyDistance(samples, refPoints, dim),
            accuracy)
        {
            PerClass = accuracy is null ? [] : PerClassQuality(samples, labels, dim, reference, accuracy),
            Modes = ModeCoverage.Compute(samples, labels, dim, reference),
        };
    }

    /// <summary>Each generated class's figures, the classes side by side (each on its own: the same figures whatever the cores).</summary>
    private static ClassQuality[] PerClassQuality(ReadOnlySpan<float> samples, ReadOnlySpan<int> labels, int dim, Dataset reference, ClassAccuracy accuracy)
    {
        int[] labelled = labels.ToArray();
        int[] classes = labelled.Distinct().Where(c => c >= 0 && c < reference.ClassNames.Count).Order().ToArray();
        float[] points = samples[..(labelled.Length * dim)].ToArray();
        var result = new ClassQuality?[classes.Length];
        Parallel.For(0, classes.Length, k =>
        {
            int c = classes[k];
            var own = reference.OnlyClass(c).X;
            if (own.Length == 0) return;
            var generated = new float[labelled.Count(l => l == c) * dim];
            for (int i = 0, n = 0; i < labelled.Length; i++)
                if (labelled[i] == c) points.AsSpan(i * dim, dim).CopyTo(generated.AsSpan(n++ * dim));
            string name = reference.ClassNames[c];
            result[k] = new ClassQuality(name, generated.Length / dim, SampleMetrics.PaperKl(generated, own), SampleMetrics.EnergyDistance(generated, own, dim),
                accuracy.PerClass.TryGetValue(name, out double a) ? a : double.NaN);
        });
        return result.OfType<ClassQuality>().ToArray();
    }

    /// <summary>Reference points of the generated classes, each class weighted like the generated labels.</summary>
    private static float[] MatchClassMix(ReadOnlySpan<int> labels, Dataset reference)
    {
        int classes = reference.ClassNames.Count;
        var wanted = new int[classes];
        foreach (var l in labels) if (l >= 0 && l < classes) wanted[l]++;
        var byClass = Enumerable.Range(0, classes).Select(c => Enumerable.Range(0, reference.Count).Where(i => reference.Labels![i] == c).ToArray()).ToArray();
        // Scale so the rarest requested class uses all its reference points.
        double scale = Enumerable.Range(0, classes).Where(c => wanted[c] > 0 && byClass[c].Length > 0)
            .Select(c => (double)byClass[c].Length / wanted[c]).DefaultIfEmpty(1).Min();
        var result = new List<float>();
        for (int c = 0; c < classes; c++)
        {
            int take = (int)Math.Min(byClass[c].Length, Math.Round(wanted[c] * scale));
            for (int i = 0; i < take; i++) result.AddRange(reference.Row(byClass[c][i]).ToArray());
        }
        return result.Count > 0 ? result.ToArray() : reference.X;
    }
}
