using MemristorGrid.Engine.Data;

namespace MemristorGrid.Engine.Metrics;

/// <summary>Per-class accuracy of conditional generation.</summary>
public sealed record ClassAccuracy(double Overall, IReadOnlyDictionary<string, double> PerClass);

/// <summary>
/// A k-nearest-neighbour classifier fitted on labelled reference samples. It sees only the generated
/// point, never the label it was generated for, so a high accuracy means the sample landed in its
/// class's region.
/// </summary>
/// <remarks>
/// The neighbours are the k smallest reference points by (squared distance, index) — what a scan in index order keeps —
/// found through a k-d tree (<see cref="NeighbourTree"/>): a scan of 60 000 latent references per sample was a fifth of a large
/// fashion run's CPU. The tree's answer is the scan's (<see cref="PredictByScan"/>, kept as the reference; tests compare both).
/// </remarks>
public sealed class NearestNeighbourClassifier
{
    private readonly Dataset _reference;
    private readonly int _k;
    private readonly NeighbourTree _tree;

    public NearestNeighbourClassifier(Dataset reference, int k = 15)
    {
        _reference = reference.IsLabelled ? reference
            : throw new UserInputException("class accuracy needs a labelled reference (a conditional task)");
        _k = k;
        _tree = new NeighbourTree(reference);
    }

    public int Predict(ReadOnlySpan<float> point)
    {
        Span<int> nearest = stackalloc int[Math.Min(_k, _reference.Count)];
        if (!Nearest(point, nearest)) return PredictByScan(point); // the scan's answer, whatever it makes of a non-finite value
        return VoteOf(nearest);
    }

    /// <summary>The k nearest reference indices, nearest first, found through the tree; false (and nothing found) for a point or a
    /// reference with a non-finite value, which only the scan defines.</summary>
    internal bool Nearest(ReadOnlySpan<float> point, Span<int> nearest) => _tree.Nearest(point, nearest);

    private int VoteOf(ReadOnlySpan<int> nearest)
    {
        Span<int> votes = stackalloc int[_reference.ClassNames.Count];
        foreach (int i in nearest) votes[_reference.Labels![i]]++;
        return Vote(votes);
    }

    /// <summary>The classifier's definition: the k nearest by a scan of the reference in index order (a later point at the
    /// k-th's distance does not displace it).</summary>
    public int PredictByScan(ReadOnlySpan<float> point)
    {
        int d = _reference.Dim, n = _reference.Count, kk = Math.Min(_k, n);
        Span<double> bestDist = stackalloc double[kk];
        Span<int> bestLabel = stackalloc int[kk];
        bestDist.Fill(double.PositiveInfinity);
        for (int i = 0; i < n; i++)
        {
            double sq = 0;
            var row = _reference.Row(i);
            for (int j = 0; j < d; j++) { double diff = row[j] - point[j]; sq += diff * diff; }
            if (sq >= bestDist[kk - 1]) continue;
            int pos = kk - 1;
            while (pos > 0 && bestDist[pos - 1] > sq) { bestDist[pos] = bestDist[pos - 1]; bestLabel[pos] = bestLabel[pos - 1]; pos--; }
            bestDist[pos] = sq;
            bestLabel[pos] = _reference.Labels![i];
        }
        Span<int> votes = stackalloc int[_reference.ClassNames.Count];
        foreach (var l in bestLabel) votes[l]++;
        return Vote(votes);
    }

    private static int Vote(ReadOnlySpan<int> votes)
    {
        int best = 0;
        for (int c = 1; c < votes.Length; c++) if (votes[c] > votes[best]) best = c;
        return best;
    }

    /// <summary>Accuracy overall and per class; the samples are classified in parallel (each on its own, so the answer does not
    /// depend on the cores).</summary>
    public ClassAccuracy Score(ReadOnlySpan<float> samples, ReadOnlySpan<int> intendedLabels)
    {
        int d = _reference.Dim, n = intendedLabels.Length;
        int classes = _reference.ClassNames.Count;
        var predicted = new int[n];
        var points = samples[..(n * d)].ToArray();
        Parallel.For(0, n, i => predicted[i] = Predict(points.AsSpan(i * d, d)));
        var correct = new int[classes];
        var total = new int[classes];
        for (int i = 0; i < n; i++)
        {
            int intended = intendedLabels[i];
            total[intended]++;
            if (predicted[i] == intended) correct[intended]++;
        }
        var perClass = new Dictionary<string, double>();
        for (int c = 0; c < classes; c++)
            if (total[c] > 0) perClass[_reference.ClassNames[c]] = (double)correct[c] / total[c];
        return new ClassAccuracy(n == 0 ? 0 : (double)correct.Sum() / n, perClass);
    }
}
