using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// The 512-bit blocks of <see cref="Gemm"/>: 8 samples × 32 outputs (16 accumulators), an odd last panel in 8 × 16
/// blocks, the last n mod 8 samples in blocks of 4. A block holds its accumulators at the rail before it stores them
/// and counts the held outputs among its real rows and columns (padding columns and repeated rows are not counted).
/// </summary>
internal static class Gemm512
{
    private const int P = PackedMatrix.PanelWidth;

    public static int Multiply(ref float x, int n, int ldx, ref float w, int k, int panels, int m, ref float y, int ldy, int yLength, float rail)
    {
        int held = 0;
        for (int p = 0; p + 1 < panels; p += 2)
        {
            ref float p0 = ref Unsafe.Add(ref w, (nint)p * k * P);
            ref float p1 = ref Unsafe.Add(ref p0, (nint)k * P);
            int cols = Math.Min(2 * P, m - p * P);
            int i = 0;
            for (; i + 8 <= n; i += 8)
                held += Block8x32(ref Unsafe.Add(ref x, (nint)i * ldx), ldx, ref p0, ref p1, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), ldy, cols, rail);
            for (; i < n; i += 4)
                held += Block4x32(ref Unsafe.Add(ref x, (nint)i * ldx), ldx, Math.Min(4, n - i), ref p0, ref p1, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), ldy, cols, rail);
        }
        if (panels % 2 == 1)
        {
            int p = panels - 1;
            ref float panel = ref Unsafe.Add(ref w, (nint)p * k * P);
            int cols = m - p * P;
            // Narrow outputs (one panel, rows back to back, as the paper's 14-wide layers) store whole vectors: the
            // columns past the last spill into the next row's start, which is stored after it (rows go in order),
            // so only a row whose spill would leave y goes through the stack copy.
            bool spills = panels == 1 && ldy == m;
            int i = 0;
            for (; i + 8 <= n; i += 8)
                held += Block8x16(ref Unsafe.Add(ref x, (nint)i * ldx), ldx, ref panel, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), ldy, cols,
                    cols == P || spills && (long)(i + 7) * ldy + P <= yLength, rail);
            for (; i < n; i += 4)
            {
                int rows = Math.Min(4, n - i);
                held += Block4x16(ref Unsafe.Add(ref x, (nint)i * ldx), ldx, rows, ref panel, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), ldy, cols,
                    rows == 4 && (cols == P || spills && (long)(i + 3) * ldy + P <= yLength), rail);
            }
        }
        return held;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Block8x16(ref float x0, int ldx, ref float panel, int k, ref float y, int ldy, int cols, bool direct, float rail)
    {
        ref float x1 = ref Unsafe.Add(ref x0, ldx);
        ref float x2 = ref Unsafe.Add(ref x1, ldx);
        ref float x3 = ref Unsafe.Add(ref x2, ldx);
        ref float x4 = ref Unsafe.Add(ref x3, ldx);
        ref float x5 = ref Unsafe.Add(ref x4, ldx);
        ref float x6 = ref Unsafe.Add(ref x5, ldx);
        ref float x7 = ref Unsafe.Add(ref x6, ldx);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (nuint r = 0; r < (nuint)k; r++)
        {
            var b = Vector512.LoadUnsafe(ref panel, r * P);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x0, r)), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x1, r)), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x2, r)), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x3, r)), b, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x4, r)), b, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x5, r)), b, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x6, r)), b, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x7, r)), b, c7);
        }
        var count = Vector512<int>.Zero;
        if (!float.IsPositiveInfinity(rail))
        {
            var high = Vector512.Create(rail);
            var counted = Gemm.Columns(cols);
            c0 = Gemm.Hold(c0, high, counted, ref count); c1 = Gemm.Hold(c1, high, counted, ref count);
            c2 = Gemm.Hold(c2, high, counted, ref count); c3 = Gemm.Hold(c3, high, counted, ref count);
            c4 = Gemm.Hold(c4, high, counted, ref count); c5 = Gemm.Hold(c5, high, counted, ref count);
            c6 = Gemm.Hold(c6, high, counted, ref count); c7 = Gemm.Hold(c7, high, counted, ref count);
        }
        Span<float> partial = stackalloc float[direct ? 0 : 8 * P];
        ref float o = ref direct ? ref y : ref partial[0];
        nint stride = direct ? ldy : P;
        c0.StoreUnsafe(ref o);
        c1.StoreUnsafe(ref Unsafe.Add(ref o, stride));
        c2.StoreUnsafe(ref Unsafe.Add(ref o, 2 * stride));
        c3.StoreUnsafe(ref Unsafe.Add(ref o, 3 * stride));
        c4.StoreUnsafe(ref Unsafe.Add(ref o, 4 * stride));
        c5.StoreUnsafe(ref Unsafe.Add(ref o, 5 * stride));
        c6.StoreUnsafe(ref Unsafe.Add(ref o, 6 * stride));
        c7.StoreUnsafe(ref Unsafe.Add(ref o, 7 * stride));
        if (!direct) Gemm.CopyColumns(partial, P, 8, ref y, ldy, cols);
        return Vector512.Sum(count);
    }

    // The last n mod 8 samples go four at a time: a block's accumulators are its only dependency chains (each output is
    // one chain, r = 0 … k − 1), and one sample's two or four chains left the FMA units waiting on their latency (a
    // batch of 227 spent ~5 % of its product in three one-sample blocks). Fewer than four rows repeat row 0's loads.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Block4x16(ref float x0, int ldx, int rows, ref float panel, int k, ref float y, int ldy, int cols, bool direct, float rail)
    {
        ref float x1 = ref rows > 1 ? ref Unsafe.Add(ref x0, ldx) : ref x0;
        ref float x2 = ref rows > 2 ? ref Unsafe.Add(ref x0, 2 * ldx) : ref x0;
        ref float x3 = ref rows > 3 ? ref Unsafe.Add(ref x0, 3 * ldx) : ref x0;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (nuint r = 0; r < (nuint)k; r++)
        {
            var b = Vector512.LoadUnsafe(ref panel, r * P);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x0, r)), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x1, r)), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x2, r)), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x3, r)), b, c3);
        }
        var count = Vector512<int>.Zero;
        if (!float.IsPositiveInfinity(rail))
        {
            var high = Vector512.Create(rail);
            var counted = Gemm.Columns(cols);
            c0 = Gemm.Hold(c0, high, counted, ref count);
            c1 = Gemm.Hold(c1, high, Gemm.Row(1, rows) & counted, ref count);
            c2 = Gemm.Hold(c2, high, Gemm.Row(2, rows) & counted, ref count);
            c3 = Gemm.Hold(c3, high, Gemm.Row(3, rows) & counted, ref count);
        }
        Span<float> partial = stackalloc float[direct ? 0 : 4 * P];
        ref float o = ref direct ? ref y : ref partial[0];
        nint stride = direct ? ldy : P;
        c0.StoreUnsafe(ref o);
        c1.StoreUnsafe(ref Unsafe.Add(ref o, stride));
        c2.StoreUnsafe(ref Unsafe.Add(ref o, 2 * stride));
        c3.StoreUnsafe(ref Unsafe.Add(ref o, 3 * stride));
        if (!direct) Gemm.CopyColumns(partial, P, rows, ref y, ldy, cols);
        return Vector512.Sum(count);
    }

    // Each block stores every accumulator before it calls anything: a call with vectors still live makes the
    // register allocator spill them at every definition inside the loop (all vector registers are volatile).
    // Full blocks go straight to y; a block of fewer columns goes through a stack copy (CopyColumns).

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Block8x32(ref float x0, int ldx, ref float p0, ref float p1, int k, ref float y, int ldy, int cols, float rail)
    {
        ref float x1 = ref Unsafe.Add(ref x0, ldx);
        ref float x2 = ref Unsafe.Add(ref x1, ldx);
        ref float x3 = ref Unsafe.Add(ref x2, ldx);
        ref float x4 = ref Unsafe.Add(ref x3, ldx);
        ref float x5 = ref Unsafe.Add(ref x4, ldx);
        ref float x6 = ref Unsafe.Add(ref x5, ldx);
        ref float x7 = ref Unsafe.Add(ref x6, ldx);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (nuint r = 0; r < (nuint)k; r++)
        {
            var b0 = Vector512.LoadUnsafe(ref p0, r * P);
            var b1 = Vector512.LoadUnsafe(ref p1, r * P);
            var a = Vector512.Create(Unsafe.Add(ref x0, r));
            c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(Unsafe.Add(ref x1, r));
            c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(Unsafe.Add(ref x2, r));
            c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(Unsafe.Add(ref x3, r));
            c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(Unsafe.Add(ref x4, r));
            c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(Unsafe.Add(ref x5, r));
            c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(Unsafe.Add(ref x6, r));
            c60 = Vector512.FusedMultiplyAdd(a, b0, c60); c61 = Vector512.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(Unsafe.Add(ref x7, r));
            c70 = Vector512.FusedMultiplyAdd(a, b0, c70); c71 = Vector512.FusedMultiplyAdd(a, b1, c71);
        }
        var count = Vector512<int>.Zero;
        if (!float.IsPositiveInfinity(rail))
        {
            var high = Vector512.Create(rail);
            Vector512<float> k0 = Gemm.Columns(cols), k1 = Gemm.Columns(cols - P);
            c00 = Gemm.Hold(c00, high, k0, ref count); c01 = Gemm.Hold(c01, high, k1, ref count);
            c10 = Gemm.Hold(c10, high, k0, ref count); c11 = Gemm.Hold(c11, high, k1, ref count);
            c20 = Gemm.Hold(c20, high, k0, ref count); c21 = Gemm.Hold(c21, high, k1, ref count);
            c30 = Gemm.Hold(c30, high, k0, ref count); c31 = Gemm.Hold(c31, high, k1, ref count);
            c40 = Gemm.Hold(c40, high, k0, ref count); c41 = Gemm.Hold(c41, high, k1, ref count);
            c50 = Gemm.Hold(c50, high, k0, ref count); c51 = Gemm.Hold(c51, high, k1, ref count);
            c60 = Gemm.Hold(c60, high, k0, ref count); c61 = Gemm.Hold(c61, high, k1, ref count);
            c70 = Gemm.Hold(c70, high, k0, ref count); c71 = Gemm.Hold(c71, high, k1, ref count);
        }
        bool full = cols == 2 * P;
        Span<float> partial = stackalloc float[full ? 0 : 8 * 2 * P];
        ref float o = ref full ? ref y : ref partial[0];
        nint stride = full ? ldy : 2 * P;
        c00.StoreUnsafe(ref o); c01.StoreUnsafe(ref o, P);
        c10.StoreUnsafe(ref Unsafe.Add(ref o, stride)); c11.StoreUnsafe(ref Unsafe.Add(ref o, stride), P);
        c20.StoreUnsafe(ref Unsafe.Add(ref o, 2 * stride)); c21.StoreUnsafe(ref Unsafe.Add(ref o, 2 * stride), P);
        c30.StoreUnsafe(ref Unsafe.Add(ref o, 3 * stride)); c31.StoreUnsafe(ref Unsafe.Add(ref o, 3 * stride), P);
        c40.StoreUnsafe(ref Unsafe.Add(ref o, 4 * stride)); c41.StoreUnsafe(ref Unsafe.Add(ref o, 4 * stride), P);
        c50.StoreUnsafe(ref Unsafe.Add(ref o, 5 * stride)); c51.StoreUnsafe(ref Unsafe.Add(ref o, 5 * stride), P);
        c60.StoreUnsafe(ref Unsafe.Add(ref o, 6 * stride)); c61.StoreUnsafe(ref Unsafe.Add(ref o, 6 * stride), P);
        c70.StoreUnsafe(ref Unsafe.Add(ref o, 7 * stride)); c71.StoreUnsafe(ref Unsafe.Add(ref o, 7 * stride), P);
        if (!full) Gemm.CopyColumns(partial, 2 * P, 8, ref y, ldy, cols);
        return Vector512.Sum(count);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Block4x32(ref float x0, int ldx, int rows, ref float p0, ref float p1, int k, ref float y, int ldy, int cols, float rail)
    {
        ref float x1 = ref rows > 1 ? ref Unsafe.Add(ref x0, ldx) : ref x0;
        ref float x2 = ref rows > 2 ? ref Unsafe.Add(ref x0, 2 * ldx) : ref x0;
        ref float x3 = ref rows > 3 ? ref Unsafe.Add(ref x0, 3 * ldx) : ref x0;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (nuint r = 0; r < (nuint)k; r++)
        {
            var b0 = Vector512.LoadUnsafe(ref p0, r * P);
            var b1 = Vector512.LoadUnsafe(ref p1, r * P);
            var a = Vector512.Create(Unsafe.Add(ref x0, r));
            c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(Unsafe.Add(ref x1, r));
            c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(Unsafe.Add(ref x2, r));
            c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(Unsafe.Add(ref x3, r));
            c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
        }
        var count = Vector512<int>.Zero;
        if (!float.IsPositiveInfinity(rail))
        {
            var high = Vector512.Create(rail);
            Vector512<float> k0 = Gemm.Columns(cols), k1 = Gemm.Columns(cols - P);
            c00 = Gemm.Hold(c00, high, k0, ref count); c01 = Gemm.Hold(c01, high, k1, ref count);
            c10 = Gemm.Hold(c10, high, Gemm.Row(1, rows) & k0, ref count); c11 = Gemm.Hold(c11, high, Gemm.Row(1, rows) & k1, ref count);
            c20 = Gemm.Hold(c20, high, Gemm.Row(2, rows) & k0, ref count); c21 = Gemm.Hold(c21, high, Gemm.Row(2, rows) & k1, ref count);
            c30 = Gemm.Hold(c30, high, Gemm.Row(3, rows) & k0, ref count); c31 = Gemm.Hold(c31, high, Gemm.Row(3, rows) & k1, ref count);
        }
        bool direct = rows == 4 && cols == 2 * P;
        Span<float> partial = stackalloc float[direct ? 0 : 4 * 2 * P];
        ref float o = ref direct ? ref y : ref partial[0];
        nint stride = direct ? ldy : 2 * P;
        c00.StoreUnsafe(ref o); c01.StoreUnsafe(ref o, P);
        c10.StoreUnsafe(ref Unsafe.Add(ref o, stride)); c11.StoreUnsafe(ref Unsafe.Add(ref o, stride), P);
        c20.StoreUnsafe(ref Unsafe.Add(ref o, 2 * stride)); c21.StoreUnsafe(ref Unsafe.Add(ref o, 2 * stride), P);
        c30.StoreUnsafe(ref Unsafe.Add(ref o, 3 * stride)); c31.StoreUnsafe(ref Unsafe.Add(ref o, 3 * stride), P);
        if (!direct) Gemm.CopyColumns(partial, 2 * P, rows, ref y, ldy, cols);
        return Vector512.Sum(count);
    }
}
