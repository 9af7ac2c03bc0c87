using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
/// found through a k-d tree: a scan of 60 000 latent references per sample was a fifth of a large fashion run's CPU. The
/// tree computes every distance it does not prune exactly as the scan does (same terms, same order, in double), prunes only
/// boxes whose lower bound is above the k-th distance, and breaks ties by index, so its answer is the scan's
/// (<see cref="PredictByScan"/>, kept as the reference; tests compare both).
/// </remarks>
public sealed class NearestNeighbourClassifier
{
    private const int LeafSize = 16;
    private readonly Dataset _reference;
    private readonly int _k;
    private readonly int[] _order;   // reference indices in tree order; a node owns a contiguous range of it
    private readonly float[] _columns; // the reference in tree order by coordinate: value j of point p at [j × count + p], padded
    private readonly Node[] _nodes;
    private readonly bool _scanOnly; // a reference with a non-finite value is left to the scan's own handling of it

    /// <summary>A node over _order[Start..End): a leaf, or split on <see cref="Dim"/> at <see cref="Split"/> (the left child's
    /// points ≤ it, the right child's ≥ it).</summary>
    private readonly record struct Node(int Start, int End, int Dim, float Split, int Left, int Right);

    public NearestNeighbourClassifier(Dataset reference, int k = 15)
    {
        _reference = reference.IsLabelled ? reference
            : throw new UserInputException("class accuracy needs a labelled reference (a conditional task)");
        _k = k;
        _scanOnly = !reference.X.All(float.IsFinite);
        _order = Enumerable.Range(0, reference.Count).ToArray();
        var nodes = new List<Node>();
        Build(nodes, 0, reference.Count);
        _nodes = [.. nodes];
        int d = reference.Dim, count = reference.Count;
        _columns = new float[d * count + Vector256<float>.Count]; // a leaf's last block may read past the last point
        for (int p = 0; p < count; p++)
            for (int j = 0; j < d; j++) _columns[j * count + p] = reference.X[_order[p] * d + j];
    }

    private int Build(List<Node> nodes, int start, int end)
    {
        int self = nodes.Count;
        nodes.Add(new Node(start, end, -1, 0, -1, -1));
        if (end - start <= LeafSize) return self;
        // Split the widest dimension at its median (by value, then index: a deterministic order).
        int d = _reference.Dim, widest = 0;
        float widestSpan = -1;
        for (int j = 0; j < d; j++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            for (int i = start; i < end; i++) { float v = _reference.X[_order[i] * d + j]; lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            if (hi - lo > widestSpan) { widestSpan = hi - lo; widest = j; }
        }
        var x = _reference.X;
        Array.Sort(_order, start, end - start, Comparer<int>.Create((a, b) =>
        {
            int c = x[a * d + widest].CompareTo(x[b * d + widest]);
            return c != 0 ? c : a.CompareTo(b);
        }));
        int mid = (start + end) / 2;
        float split = x[_order[mid] * d + widest]; // read before the children reorder their ranges
        int left = Build(nodes, start, mid), right = Build(nodes, mid, end);
        nodes[self] = new Node(start, end, widest, split, left, right);
        return self;
    }

    public int Predict(ReadOnlySpan<float> point)
    {
        if (_scanOnly) return PredictByScan(point);
        foreach (float v in point) if (!float.IsFinite(v)) return PredictByScan(point); // the scan's answer, whatever it makes of it
        int kk = Math.Min(_k, _reference.Count);
        Span<double> bestDist = stackalloc double[kk];
        Span<int> bestIndex = stackalloc int[kk];
        bestDist.Fill(double.PositiveInfinity);
        bestIndex.Fill(int.MaxValue);
        Search(0, point, bestDist, bestIndex);
        Span<int> votes = stackalloc int[_reference.ClassNames.Count];
        foreach (int i in bestIndex) votes[_reference.Labels![i]]++;
        return Vote(votes);
    }

    // Fully optimised from its first call: a scoring pass is over in seconds, and tiered compilation left this recursive method
    // (no loop to replace on the stack) at tier 0 for most of a 10 000-sample run (perf: 2.8× the CPU of the optimised code).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Search(int node, ReadOnlySpan<float> point, Span<double> bestDist, Span<int> bestIndex)
    {
        var nd = _nodes[node];
        int d = _reference.Dim, kk = bestDist.Length;
        if (nd.Dim < 0)
        {
            // Eight points at a time, by coordinate: the same float difference and the same double square and sum, term by term in
            // the same order, as the scan's scalar loop (separate multiply and add, no fused rounding), so the same distances.
            int count = _reference.Count;
            ref float columns = ref MemoryMarshal.GetArrayDataReference(_columns);
            Span<double> sq = stackalloc double[Vector256<float>.Count];
            for (int p = nd.Start; p < nd.End; p += Vector256<float>.Count)
            {
                var low = Vector256<double>.Zero;
                var high = Vector256<double>.Zero;
                for (int j = 0; j < d; j++)
                {
                    var diff = Vector256.LoadUnsafe(ref columns, (nuint)(j * count + p)) - Vector256.Create(point[j]);
                    var (dl, dh) = (Vector256.WidenLower(diff), Vector256.WidenUpper(diff));
                    low += dl * dl;
                    high += dh * dh;
                }
                // Most blocks hold nobody nearer than the k-th: one comparison of the eight before any insertion.
                var kth = Vector256.Create(bestDist[kk - 1]);
                if (!Vector256.LessThanOrEqualAny(low, kth) && !Vector256.LessThanOrEqualAny(high, kth)) continue;
                low.CopyTo(sq);
                high.CopyTo(sq[Vector256<double>.Count..]);
                for (int q = 0; q < Vector256<float>.Count && p + q < nd.End; q++) Insert(sq[q], _order[p + q], bestDist, bestIndex);
            }
            return;
        }
        // The gap is computed as the distances' terms are (a float difference, squared in double), and rounding is monotone,
        // so every point beyond the split has a term, and so a distance, of at least gap²: a box is skipped only when none of
        // its points can tie with or beat the k-th.
        float gap = point[nd.Dim] - nd.Split;
        int near = gap <= 0 ? nd.Left : nd.Right, far = gap <= 0 ? nd.Right : nd.Left;
        Search(near, point, bestDist, bestIndex);
        double bound = gap;
        if (bound * bound <= bestDist[kk - 1]) Search(far, point, bestDist, bestIndex);
    }

    private static void Insert(double sq, int index, Span<double> bestDist, Span<int> bestIndex)
    {
        int kk = bestDist.Length;
        if (!Before(sq, index, bestDist[kk - 1], bestIndex[kk - 1])) return;
        int pos = kk - 1;
        while (pos > 0 && Before(sq, index, bestDist[pos - 1], bestIndex[pos - 1]))
        {
            bestDist[pos] = bestDist[pos - 1];
            bestIndex[pos] = bestIndex[pos - 1];
            pos--;
        }
        bestDist[pos] = sq;
        bestIndex[pos] = index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Before(double sq, int index, double thanSq, int thanIndex) => sq < thanSq || (sq == thanSq && index < thanIndex);

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
