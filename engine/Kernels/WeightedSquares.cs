using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// Each sample's Σ_r x_r²·g_r over a batch [n × rows] (a tile's cell power: g is each row's Σ_c (G⁺ + G⁻)).
/// The sum has one order on every instruction width: sixteen partial sums, lane l taking rows l, l + 16,
/// l + 32, … by acc = fma(x_r·x_r, g_r, acc) (the square rounded first), then halved pairwise — lanes
/// 0–7 + 8–15, 0–3 + 4–7, 0–1 + 2–3, 0 + 1. A one-column matrix product (row order) ran one useful
/// column in sixteen and cost 8 % of a large-model run; this runs along the rows, one vector per 16.
/// With g ≥ 0 no partial sum is −0, so rows past the end (zero on the vector path, skipped on the scalar
/// one) leave the bits alone.
/// </summary>
public static class WeightedSquares
{
    private const int Lanes = 16;

    public static void Sum(ReadOnlySpan<float> x, int n, int rows, ReadOnlySpan<float> g, Span<float> sums)
    {
        if (x.Length < n * rows || g.Length < rows || sums.Length < n) throw new ArgumentException($"{n} × {rows} inputs, {rows} weights and {n} sums expected");
        switch (Simd.Width)
        {
            case KernelWidth.Vector512: Sum512(x, n, rows, g, sums); break;
            case KernelWidth.Vector256: Sum256(x, n, rows, g, sums); break;
            default: SumScalar(x, n, rows, g, sums); break;
        }
    }

    /// <summary>
    /// The batch's total Σ_i sums_i in double — sample i into partial sum i mod 4 in order (the last count mod 4 into the first),
    /// then (p0 + p1) + (p2 + p3), the same bits on every width — and, when <paramref name="scaled"/> is given, each sum ×
    /// <paramref name="scale"/> into it. Per sample, a scalar loop with a bounds check on both spans cost 4 % of a noisy 15 × 14
    /// tile on 2 500 samples.
    /// </summary>
    public static double Total(ReadOnlySpan<float> sums, double scale, Span<double> scaled)
    {
        bool each = scaled.Length != 0;
        if (each && scaled.Length < sums.Length) throw new ArgumentException($"{sums.Length} sums, room for {scaled.Length} scaled ones");
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int i = 0;
        bool vectors = Simd.Width != KernelWidth.Scalar && Vector256.IsHardwareAccelerated;
        if (vectors)
        {
            ref float s0 = ref MemoryMarshal.GetReference(sums);
            ref double d0 = ref MemoryMarshal.GetReference(scaled);
            var acc = Vector256<double>.Zero;
            var unit = Vector256.Create(scale);
            for (; i + 4 <= sums.Length; i += 4)
            {
                var f = Vector128.LoadUnsafe(ref s0, (nuint)i);
                var v = Vector256.Create(Vector128.WidenLower(f), Vector128.WidenUpper(f));
                acc += v;
                if (each) (v * unit).StoreUnsafe(ref d0, (nuint)i);
            }
            (p0, p1, p2, p3) = (acc[0], acc[1], acc[2], acc[3]);
        }
        else
            for (; i + 4 <= sums.Length; i += 4) { p0 += sums[i]; p1 += sums[i + 1]; p2 += sums[i + 2]; p3 += sums[i + 3]; }
        for (int t = i; t < sums.Length; t++) p0 += sums[t];
        if (each)
            for (int t = vectors ? i : 0; t < sums.Length; t++) scaled[t] = sums[t] * scale; // what the vectors did not scale
        return (p0 + p1) + (p2 + p3);
    }

    private static void Sum512(ReadOnlySpan<float> x, int n, int rows, ReadOnlySpan<float> g, Span<float> sums)
    {
        int whole = rows / Lanes * Lanes, tail = rows - whole;
        Span<float> buffer = stackalloc float[Lanes];
        buffer.Clear();
        g.Slice(whole, tail).CopyTo(buffer);
        var gTail = Vector512.Create((ReadOnlySpan<float>)buffer);
        var inTail = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(tail)).AsSingle();
        var group = new Group(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(g), rows, whole, tail, gTail, inTail);
        int reach = tail > 0 ? whole + Lanes : whole, i = 0;
        if (Avx512F.IsSupported)
            // Sixteen samples' partial sums reduced together: each level of the halving tree is two
            // permutes and one add for a pair of vectors, rather than a horizontal reduction per sample.
            // A group runs while its last sample's whole-vector tail load stays inside x.
            for (; i + Lanes <= n && (long)(i + Lanes - 1) * rows + reach <= x.Length; i += Lanes)
                group.Sums(i).CopyTo(sums.Slice(i, Lanes));
        float[]? padded = null; // a row whose tail load would leave x is read from a copy with room after it
        for (; i < n; i++)
        {
            Vector512<float> acc;
            if ((long)i * rows + reach <= x.Length) acc = group.Partials(i);
            else
            {
                padded ??= ArrayPool<float>.Shared.Rent(rows + Lanes);
                x.Slice(i * rows, rows).CopyTo(padded);
                acc = new Group(ref padded[0], ref MemoryMarshal.GetReference(g), rows, whole, tail, gTail, inTail).Partials(0);
            }
            var eight = acc.GetLower() + acc.GetUpper();
            var four = eight.GetLower() + eight.GetUpper();
            sums[i] = Reduce4(four);
        }
        if (padded is not null) ArrayPool<float>.Shared.Return(padded);
    }

    // Two-source permutes (vpermt2ps: index < 16 takes the first vector, ≥ 16 the second) for each level
    // of the tree: level 1 pairs lanes l and l + 8 of two samples, level 2 lanes l and l + 4 of four,
    // level 3 lanes l and l + 2 of eight, level 4 lanes 0 and 1 of sixteen.
    private static readonly Vector512<int> Level1Low = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    private static readonly Vector512<int> Level1High = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    private static readonly Vector512<int> Level2Low = Vector512.Create(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    private static readonly Vector512<int> Level2High = Vector512.Create(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    private static readonly Vector512<int> Level3Low = Vector512.Create(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
    private static readonly Vector512<int> Level3High = Vector512.Create(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    private static readonly Vector512<int> Level4Low = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Level4High = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Halve(Vector512<float> a, Vector512<float> b, Vector512<int> low, Vector512<int> high) =>
        Avx512F.PermuteVar16x32x2(a, low, b) + Avx512F.PermuteVar16x32x2(a, high, b);

    /// <summary>Sixteen consecutive samples' sums, or one sample's lane sums; the caller guarantees every load is inside x.</summary>
    private readonly ref struct Group(ref float x, ref float g, int rows, int whole, int tail, Vector512<float> gTail, Vector512<float> inTail)
    {
        private readonly ref float _x = ref x;
        private readonly ref float _g = ref g;

        /// <summary>
        /// Sixteen samples side by side, one accumulator each, one vector of rows at a time: the same
        /// per-lane order as <see cref="Partials"/>, but sixteen independent chains in flight instead of
        /// one sample's short loop after another (a 512 × 64 batch: 2.7 → 1.6 µs).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Vector512<float> Sums(int first)
        {
            nuint stride = (nuint)rows;
            ref float x0 = ref Unsafe.Add(ref _x, (nuint)first * stride);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            for (int r = 0; r < whole; r += Lanes)
            {
                var g = Vector512.LoadUnsafe(ref _g, (nuint)r);
                ref float xr = ref Unsafe.Add(ref x0, r);
                Accumulate(ref xr, stride, g, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7,
                    ref a8, ref a9, ref a10, ref a11, ref a12, ref a13, ref a14, ref a15, Vector512<float>.AllBitsSet);
            }
            if (tail > 0)
                Accumulate(ref Unsafe.Add(ref x0, whole), stride, gTail, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7,
                    ref a8, ref a9, ref a10, ref a11, ref a12, ref a13, ref a14, ref a15, inTail);
            var q0 = Halve(Halve(a0, a1, Level1Low, Level1High), Halve(a2, a3, Level1Low, Level1High), Level2Low, Level2High);
            var q1 = Halve(Halve(a4, a5, Level1Low, Level1High), Halve(a6, a7, Level1Low, Level1High), Level2Low, Level2High);
            var q2 = Halve(Halve(a8, a9, Level1Low, Level1High), Halve(a10, a11, Level1Low, Level1High), Level2Low, Level2High);
            var q3 = Halve(Halve(a12, a13, Level1Low, Level1High), Halve(a14, a15, Level1Low, Level1High), Level2Low, Level2High);
            return Halve(Halve(q0, q1, Level3Low, Level3High), Halve(q2, q3, Level3Low, Level3High), Level4Low, Level4High);
        }

        /// <summary>acc_s = fma(x_s², g, acc_s) for the sixteen samples' vectors at x + s·stride, squares outside <paramref name="keep"/> zeroed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Accumulate(ref float x, nuint stride, Vector512<float> g,
            ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3,
            ref Vector512<float> a4, ref Vector512<float> a5, ref Vector512<float> a6, ref Vector512<float> a7,
            ref Vector512<float> a8, ref Vector512<float> a9, ref Vector512<float> a10, ref Vector512<float> a11,
            ref Vector512<float> a12, ref Vector512<float> a13, ref Vector512<float> a14, ref Vector512<float> a15, Vector512<float> keep)
        {
            a0 = Vector512.FusedMultiplyAdd(Square(ref x, 0, keep), g, a0);
            a1 = Vector512.FusedMultiplyAdd(Square(ref x, stride, keep), g, a1);
            a2 = Vector512.FusedMultiplyAdd(Square(ref x, 2 * stride, keep), g, a2);
            a3 = Vector512.FusedMultiplyAdd(Square(ref x, 3 * stride, keep), g, a3);
            a4 = Vector512.FusedMultiplyAdd(Square(ref x, 4 * stride, keep), g, a4);
            a5 = Vector512.FusedMultiplyAdd(Square(ref x, 5 * stride, keep), g, a5);
            a6 = Vector512.FusedMultiplyAdd(Square(ref x, 6 * stride, keep), g, a6);
            a7 = Vector512.FusedMultiplyAdd(Square(ref x, 7 * stride, keep), g, a7);
            a8 = Vector512.FusedMultiplyAdd(Square(ref x, 8 * stride, keep), g, a8);
            a9 = Vector512.FusedMultiplyAdd(Square(ref x, 9 * stride, keep), g, a9);
            a10 = Vector512.FusedMultiplyAdd(Square(ref x, 10 * stride, keep), g, a10);
            a11 = Vector512.FusedMultiplyAdd(Square(ref x, 11 * stride, keep), g, a11);
            a12 = Vector512.FusedMultiplyAdd(Square(ref x, 12 * stride, keep), g, a12);
            a13 = Vector512.FusedMultiplyAdd(Square(ref x, 13 * stride, keep), g, a13);
            a14 = Vector512.FusedMultiplyAdd(Square(ref x, 14 * stride, keep), g, a14);
            a15 = Vector512.FusedMultiplyAdd(Square(ref x, 15 * stride, keep), g, a15);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Square(ref float x, nuint offset, Vector512<float> keep)
        {
            var v = Vector512.LoadUnsafe(ref x, offset);
            return (v * v) & keep;
        }

        /// <summary>Sample i's sixteen lane sums: lane l holds rows l, l + 16, ….</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> Partials(int i)
        {
            nuint row = (nuint)i * (nuint)rows;
            var acc = Vector512<float>.Zero;
            for (int r = 0; r < whole; r += Lanes)
            {
                var v = Vector512.LoadUnsafe(ref _x, row + (nuint)r);
                acc = Vector512.FusedMultiplyAdd(v * v, Vector512.LoadUnsafe(ref _g, (nuint)r), acc);
            }
            if (tail > 0)
            {
                var v = Vector512.LoadUnsafe(ref _x, row + (nuint)whole);
                acc = Vector512.FusedMultiplyAdd(Vector512.ConditionalSelect(inTail, v * v, Vector512<float>.Zero), gTail, acc);
            }
            return acc;
        }
    }

    private static void Sum256(ReadOnlySpan<float> x, int n, int rows, ReadOnlySpan<float> g, Span<float> sums)
    {
        const int half = Lanes / 2;
        Span<float> gPadded = stackalloc float[(rows + Lanes - 1) / Lanes * Lanes];
        gPadded.Clear();
        g[..rows].CopyTo(gPadded);
        Span<float> row = stackalloc float[gPadded.Length];
        row.Clear();
        for (int i = 0; i < n; i++)
        {
            x.Slice(i * rows, rows).CopyTo(row);
            Vector256<float> low = Vector256<float>.Zero, high = Vector256<float>.Zero;
            for (int r = 0; r < row.Length; r += Lanes)
            {
                var a = Vector256.Create((ReadOnlySpan<float>)row.Slice(r, half));
                var b = Vector256.Create((ReadOnlySpan<float>)row.Slice(r + half, half));
                low = Vector256.FusedMultiplyAdd(a * a, Vector256.Create((ReadOnlySpan<float>)gPadded.Slice(r, half)), low);
                high = Vector256.FusedMultiplyAdd(b * b, Vector256.Create((ReadOnlySpan<float>)gPadded.Slice(r + half, half)), high);
            }
            var eight = low + high;
            sums[i] = Reduce4(eight.GetLower() + eight.GetUpper());
        }
    }

    private static void SumScalar(ReadOnlySpan<float> x, int n, int rows, ReadOnlySpan<float> g, Span<float> sums)
    {
        Span<float> acc = stackalloc float[Lanes];
        for (int i = 0; i < n; i++)
        {
            acc.Clear();
            var row = x.Slice(i * rows, rows);
            for (int r = 0; r < rows; r++) acc[r % Lanes] = MathF.FusedMultiplyAdd(row[r] * row[r], g[r], acc[r % Lanes]);
            for (int l = 0; l < 8; l++) acc[l] += acc[l + 8];
            for (int l = 0; l < 4; l++) acc[l] += acc[l + 4];
            sums[i] = (acc[0] + acc[2]) + (acc[1] + acc[3]);
        }
    }

    private static float Reduce4(Vector128<float> four) => (four[0] + four[2]) + (four[1] + four[3]);
}
