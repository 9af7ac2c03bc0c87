using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// y = x·W for a batch: x is [n × k] (row stride ldx), W a <see cref="PackedMatrix"/> (k × m), y [n × m]
/// (row stride ldy). Register-blocked: 8 samples × 32 outputs per block on AVX-512 (16 accumulators; an odd
/// last panel in 8 × 16 blocks), 4 × 16 on 256-bit vectors, one output at a time otherwise.
/// Every output is accumulated the same way on every path — acc = fma(x_r, w_r, acc) for r = 0, 1, …,
/// k − 1 from acc = 0 — so the bits do not depend on the instruction width: a cluster of mixed machines
/// returns the same samples wherever a lane runs. Allocates nothing. The 512- and 256-bit blocks are
/// written out separately: .NET has no public abstraction over vector widths (ISimdVector is internal),
/// and the register allocator needs every accumulator spelled out as its own local.
/// </summary>
public static class Gemm
{
    private const int P = PackedMatrix.PanelWidth;

    public static void Multiply(ReadOnlySpan<float> x, int n, int ldx, PackedMatrix w, Span<float> y, int ldy)
    {
        int k = w.Inputs, m = w.Outputs;
        if (n == 0) return;
        if (ldx < k || ldy < m) throw new ArgumentException($"row strides ({ldx}, {ldy}) are shorter than the matrix ({k} × {m})");
        if (x.Length < (n - 1) * ldx + k) throw new ArgumentException($"x holds {x.Length} values, {n} rows of {k} need {(n - 1) * ldx + k}");
        if (y.Length < (n - 1) * ldy + m) throw new ArgumentException($"y holds {y.Length} values, {n} rows of {m} need {(n - 1) * ldy + m}");
        ref float xs = ref Unsafe.AsRef(in x[0]);
        ref float ys = ref y[0];
        ref float ws = ref w.Data[0];
        switch (Simd.Width)
        {
            case KernelWidth.Vector512: Multiply512(ref xs, n, ldx, ref ws, k, w.Panels, m, ref ys, ldy, y.Length); break;
            case KernelWidth.Vector256: Gemm256.Multiply(ref xs, n, ldx, ref ws, k, w.Panels, m, ref ys, ldy); break;
            default: MultiplyScalar(ref xs, n, ldx, ref ws, k, m, ref ys, ldy); break;
        }
    }

    private static void Multiply512(ref float x, int n, int ldx, ref float w, int k, int panels, int m, ref float y, int ldy, int yLength)
    {
        for (int p = 0; p + 1 < panels; p += 2)
        {
            ref float p0 = ref Unsafe.Add(ref w, (nint)p * k * P);
            ref float p1 = ref Unsafe.Add(ref p0, (nint)k * P);
            int cols = Math.Min(2 * P, m - p * P);
            int i = 0;
            for (; i + 8 <= n; i += 8)
                Block8x32(ref Unsafe.Add(ref x, (nint)i * ldx), ldx, ref p0, ref p1, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), ldy, cols);
            for (; i < n; i++)
                Block1x32(ref Unsafe.Add(ref x, (nint)i * ldx), ref p0, ref p1, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), cols);
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
                Block8x16(ref Unsafe.Add(ref x, (nint)i * ldx), ldx, ref panel, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), ldy, cols,
                    cols == P || spills && (long)(i + 7) * ldy + P <= yLength);
            for (; i < n; i++)
                Block1x16Wide(ref Unsafe.Add(ref x, (nint)i * ldx), ref panel, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), cols,
                    cols == P || spills && (long)i * ldy + P <= yLength);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block8x16(ref float x0, int ldx, ref float panel, int k, ref float y, int ldy, int cols, bool direct)
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
        if (!direct) CopyColumns(partial, P, 8, ref y, ldy, cols);
    }

    private static void Block1x16Wide(ref float x, ref float panel, int k, ref float y, int cols, bool direct)
    {
        Vector512<float> c = default;
        for (nuint r = 0; r < (nuint)k; r++)
            c = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref x, r)), Vector512.LoadUnsafe(ref panel, r * P), c);
        Span<float> partial = stackalloc float[direct ? 0 : P];
        ref float o = ref direct ? ref y : ref partial[0];
        c.StoreUnsafe(ref o);
        if (!direct) CopyColumns(partial, P, 1, ref y, 0, cols);
    }

    // Each block stores every accumulator before it calls anything: a call with vectors still live makes the
    // register allocator spill them at every definition inside the loop (all vector registers are volatile).
    // Full blocks go straight to y; a block of fewer columns goes through a stack copy (CopyColumns).

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block8x32(ref float x0, int ldx, ref float p0, ref float p1, int k, ref float y, int ldy, int cols)
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
        if (!full) CopyColumns(partial, 2 * P, 8, ref y, ldy, cols);
    }

    private static void Block1x32(ref float x, ref float p0, ref float p1, int k, ref float y, int cols)
    {
        Vector512<float> c0 = default, c1 = default;
        for (nuint r = 0; r < (nuint)k; r++)
        {
            var a = Vector512.Create(Unsafe.Add(ref x, r));
            c0 = Vector512.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref p0, r * P), c0);
            c1 = Vector512.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref p1, r * P), c1);
        }
        bool full = cols == 2 * P;
        Span<float> partial = stackalloc float[full ? 0 : 2 * P];
        ref float o = ref full ? ref y : ref partial[0];
        c0.StoreUnsafe(ref o); c1.StoreUnsafe(ref o, P);
        if (!full) CopyColumns(partial, 2 * P, 1, ref y, 0, cols);
    }

    /// <summary>The first <paramref name="cols"/> columns of a block's rows (stored <paramref name="width"/> apart) into y's rows.</summary>
    internal static void CopyColumns(ReadOnlySpan<float> block, int width, int rows, ref float y, int ldy, int cols)
    {
        for (int i = 0; i < rows; i++) block.Slice(i * width, cols).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, (nint)i * ldy), cols));
    }

    private static void MultiplyScalar(ref float x, int n, int ldx, ref float w, int k, int m, ref float y, int ldy)
    {
        for (int i = 0; i < n; i++)
        {
            ref float xi = ref Unsafe.Add(ref x, (nint)i * ldx);
            for (int c = 0; c < m; c++)
            {
                ref float column = ref Unsafe.Add(ref w, (nint)(c / P) * k * P + c % P);
                float acc = 0f;
                for (int r = 0; r < k; r++) acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref xi, r), Unsafe.Add(ref column, (nint)r * P), acc);
                Unsafe.Add(ref y, (nint)i * ldy + c) = acc;
            }
        }
    }
}
