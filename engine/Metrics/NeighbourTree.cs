using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MemristorGrid.Engine.Data;

namespace MemristorGrid.Engine.Metrics;

/// <summary>
/// A k-d tree over a reference's points that finds the k nearest by (squared distance, index), exactly what a scan in index
/// order keeps: it computes every distance it does not prune as the scan does (a float difference, squared and summed in double,
/// term by term in order), prunes only boxes whose lower bound is above the k-th distance, and breaks ties by index.
/// </summary>
internal sealed class NeighbourTree
{
    // Leaves of 64, blocks of 16 and every box's own bounds: 41–57 µs per sample against 64–73 with leaves of 16 bounded by their
    // splits (a fashion run's generated latents, one thread; bench neighbours); the traversal, not the distances, was most of
    // the time. Without AVX-512 the runtime splits each Vector512 into two Vector256: 42 µs with DOTNET_EnableAVX512F=0.
    private const int LeafSize = 64;
    private const int Block = 16; // points per block: a Vector512 of floats, widened to two of doubles
    private readonly Dataset _reference;
    private readonly int[] _order;   // reference indices in tree order; a node owns a contiguous range of it
    private readonly Node[] _nodes;
    // Each leaf's points in blocks of sixteen, by coordinate: value j of the leaf's point 16b + q at [(first block + b) × 16d + 16j + q]
    // (a block's unused places hold +∞): a leaf's values are contiguous and each block is one load per coordinate.
    private readonly float[] _blocks;
    private readonly int[] _firstBlock; // by node; a leaf's first block
    private readonly float[] _boxes;   // node n's bounding box: its points' least value on coordinate j at [2dn + j], largest at [2dn + d + j]
    private readonly bool _scanOnly; // a reference with a non-finite value is left to the scan's own handling of it

    /// <summary>A node over _order[Start..End): a leaf, or split on <see cref="Dim"/> at <see cref="Split"/> (the left child's
    /// points ≤ it, the right child's ≥ it).</summary>
    private readonly record struct Node(int Start, int End, int Dim, float Split, int Left, int Right);

    public NeighbourTree(Dataset reference)
    {
        _reference = reference;
        _scanOnly = !reference.X.All(float.IsFinite);
        _order = Enumerable.Range(0, reference.Count).ToArray();
        var nodes = new List<Node>();
        var boxes = new List<float>();
        Build(nodes, boxes, 0, reference.Count);
        _nodes = [.. nodes];
        _boxes = [.. boxes];
        int d = reference.Dim;
        _firstBlock = new int[_nodes.Length];
        int blocks = 0;
        for (int n = 0; n < _nodes.Length; n++)
            if (_nodes[n].Dim < 0) { _firstBlock[n] = blocks; blocks += (_nodes[n].End - _nodes[n].Start + Block - 1) / Block; }
        _blocks = new float[blocks * Block * d];
        Array.Fill(_blocks, float.PositiveInfinity);
        for (int n = 0; n < _nodes.Length; n++)
        {
            if (_nodes[n].Dim >= 0) continue;
            for (int p = _nodes[n].Start; p < _nodes[n].End; p++)
            {
                int b = _firstBlock[n] + (p - _nodes[n].Start) / Block, q = (p - _nodes[n].Start) % Block;
                for (int j = 0; j < d; j++) _blocks[b * Block * d + Block * j + q] = reference.X[_order[p] * d + j];
            }
        }
    }

    /// <summary>Adds the node over _order[start..end) and its subtree; its bounding box (each coordinate's least and largest value)
    /// goes to <paramref name="boxes"/> at the node's index, and the widest of its coordinates is the one it splits.</summary>
    private int Build(List<Node> nodes, List<float> boxes, int start, int end)
    {
        int self = nodes.Count, d = _reference.Dim, widest = 0;
        nodes.Add(new Node(start, end, -1, 0, -1, -1));
        var box = new float[2 * d];
        float widestSpan = -1;
        for (int j = 0; j < d; j++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            for (int i = start; i < end; i++) { float v = _reference.X[_order[i] * d + j]; lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            (box[j], box[d + j]) = (lo, hi);
            if (hi - lo > widestSpan) { widestSpan = hi - lo; widest = j; }
        }
        boxes.AddRange(box);
        if (end - start <= LeafSize) return self;
        // Split the widest coordinate at its median (by value, then index: a deterministic order).
        var x = _reference.X;
        Array.Sort(_order, start, end - start, Comparer<int>.Create((a, b) =>
        {
            int c = x[a * d + widest].CompareTo(x[b * d + widest]);
            return c != 0 ? c : a.CompareTo(b);
        }));
        int mid = (start + end) / 2;
        float split = x[_order[mid] * d + widest]; // read before the children reorder their ranges
        int left = Build(nodes, boxes, start, mid), right = Build(nodes, boxes, mid, end);
        nodes[self] = new Node(start, end, widest, split, left, right);
        return self;
    }

    /// <summary>The k nearest reference indices, nearest first, found through the tree; false (and nothing found) for a point or a
    /// reference with a non-finite value, which only the scan defines.</summary>
    public bool Nearest(ReadOnlySpan<float> point, Span<int> nearest)
    {
        if (_scanOnly) return false;
        foreach (float v in point) if (!float.IsFinite(v)) return false;
        Span<double> bestDist = stackalloc double[nearest.Length];
        bestDist.Fill(double.PositiveInfinity);
        nearest.Fill(int.MaxValue);
        Search(0, point, bestDist, nearest);
        return true;
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
            // Sixteen points at a time, by coordinate: the same float difference and the same double square and sum, term by term in
            // the same order, as the scan's scalar loop (separate multiply and add, no fused rounding), so the same distances.
            ref float block = ref MemoryMarshal.GetArrayDataReference(_blocks);
            block = ref Unsafe.Add(ref block, _firstBlock[node] * Block * d);
            Span<double> sq = stackalloc double[Block];
            for (int p = nd.Start; p < nd.End; p += Block, block = ref Unsafe.Add(ref block, Block * d))
            {
                var low = Vector512<double>.Zero;
                var high = Vector512<double>.Zero;
                for (int j = 0; j < d; j++)
                {
                    var diff = Vector512.LoadUnsafe(ref block, (nuint)(Block * j)) - Vector512.Create(point[j]);
                    var (dl, dh) = (Vector512.WidenLower(diff), Vector512.WidenUpper(diff));
                    low += dl * dl;
                    high += dh * dh;
                }
                // Most blocks hold nobody nearer than the k-th: one comparison of the sixteen before any insertion.
                var kth = Vector512.Create(bestDist[kk - 1]);
                if (!Vector512.LessThanOrEqualAny(low, kth) && !Vector512.LessThanOrEqualAny(high, kth)) continue;
                low.CopyTo(sq);
                high.CopyTo(sq[Vector512<double>.Count..]);
                for (int q = 0; q < Block && p + q < nd.End; q++) Insert(sq[q], _order[p + q], bestDist, bestIndex);
            }
            return;
        }
        // A child is visited only if its box can hold a point that ties with or beats the k-th, the nearer box first.
        double leftBound = LowerBound(nd.Left, point), rightBound = LowerBound(nd.Right, point);
        var (first, firstBound, second, secondBound) = leftBound <= rightBound
            ? (nd.Left, leftBound, nd.Right, rightBound) : (nd.Right, rightBound, nd.Left, leftBound);
        if (firstBound <= bestDist[kk - 1]) Search(first, point, bestDist, bestIndex);
        if (secondBound <= bestDist[kk - 1]) Search(second, point, bestDist, bestIndex);
    }

    /// <summary>
    /// A lower bound of the distance, as the leaves compute it, from <paramref name="point"/> to every point in node's bounding box:
    /// on each coordinate the gap to the box is a float difference squared in double, as the distances' terms are, and rounding
    /// is monotone, so each point's term, and so the rounded sum of its terms in the same order, is at least the bound's. (The
    /// split's own coordinate alone bounded a box before: in the latent tasks' 8 dimensions the search then visited most leaves.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double LowerBound(int node, ReadOnlySpan<float> point)
    {
        int d = point.Length;
        var box = _boxes.AsSpan(2 * d * node, 2 * d);
        double bound = 0;
        for (int j = 0; j < d; j++)
        {
            float q = point[j], lo = box[j], hi = box[d + j];
            double gap = q < lo ? lo - q : q > hi ? q - hi : 0f;
            bound += gap * gap;
        }
        return bound;
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
}
