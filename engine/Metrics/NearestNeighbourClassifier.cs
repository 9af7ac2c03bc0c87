using MemristorGrid.Engine.Data;

namespace MemristorGrid.Engine.Metrics;

/// <summary>Per-class accuracy of conditional generation.</summary>
public sealed record ClassAccuracy(double Overall, IReadOnlyDictionary<string, double> PerClass);

/// <summary>
/// A k-nearest-neighbour classifier fitted on labelled reference samples. It sees only the generated
/// point, never the label it was generated for, so a high accuracy means the sample landed in its
/// class's region.
/// </summary>
public sealed class NearestNeighbourClassifier(Dataset reference, int k = 15)
{
    private readonly Dataset _reference = reference.IsLabelled ? reference
        : throw new UserInputException("class accuracy needs a labelled reference (a conditional task)");

    public int Predict(ReadOnlySpan<float> point)
    {
        int d = _reference.Dim, n = _reference.Count, kk = Math.Min(k, n);
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
        int best = 0;
        for (int c = 1; c < votes.Length; c++) if (votes[c] > votes[best]) best = c;
        return best;
    }

    public ClassAccuracy Score(ReadOnlySpan<float> samples, ReadOnlySpan<int> intendedLabels)
    {
        int d = _reference.Dim, n = intendedLabels.Length;
        int classes = _reference.ClassNames.Count;
        var correct = new int[classes];
        var total = new int[classes];
        for (int i = 0; i < n; i++)
        {
            int intended = intendedLabels[i];
            total[intended]++;
            if (Predict(samples.Slice(i * d, d)) == intended) correct[intended]++;
        }
        var perClass = new Dictionary<string, double>();
        for (int c = 0; c < classes; c++)
            if (total[c] > 0) perClass[_reference.ClassNames[c]] = (double)correct[c] / total[c];
        return new ClassAccuracy(n == 0 ? 0 : (double)correct.Sum() / n, perClass);
    }
}
