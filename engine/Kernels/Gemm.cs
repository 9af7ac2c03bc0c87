using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// y = x·W for a batch: x is [n × k] (row stride ldx), W a <see cref="PackedMatrix"/> (k × m), y [n × m]
/// (row stride ldy). Register-blocked: 8 samples × 32 outputs per block on AVX-512 (<see cref="Gemm512"/>), 4 × 16 on
/// 256-bit vectors (<see cref="Gemm256"/>), one output at a time otherwise.
/// Every output is accumulated the same way on every path — acc = fma(x_r, w_r, acc) for r = 0, 1, …,
/// k − 1 from acc = 0 — so the bits do not depend on the instruction width: a cluster of mixed machines
/// returns the same samples wherever a lane runs. Allocates nothing. The 512- and 256-bit blocks are
/// written out separately: .NET has no public abstraction over vector widths (ISimdVector is internal),
/// and the register allocator needs every accumulator spelled out as its own local.
/// </summary>
public static class Gemm
{
    private const int P = PackedMatrix.PanelWidth;

    public static void Multiply(ReadOnlySpan<float> x, int n, int ldx, PackedMatrix w, Span<float> y, int ldy) =>
        Multiply(x, n, ldx, w, y, ldy, float.PositiveInfinity);

    /// <summary>
    /// y = x·W with every output held at ±<paramref name="rail"/> (an amplifier's swing, as <see cref="Circuits.Rails.Clamp"/>
    /// would hold it: the same bits, NaN passes); returns how many outputs were held. On 512-bit vectors the rail is applied
    /// to the accumulators before they are stored: a second pass over a 227 × 64 output cost a tenth of the product.
    /// </summary>
    public static int Multiply(ReadOnlySpan<float> x, int n, int ldx, PackedMatrix w, Span<float> y, int ldy, float rail)
    {
        int k = w.Inputs, m = w.Outputs;
        if (n == 0) return 0;
        if (ldx < k || ldy < m) throw new ArgumentException($"row strides ({ldx}, {ldy}) are shorter than the matrix ({k} × {m})");
        if (x.Length < (n - 1) * ldx + k) throw new ArgumentException($"x holds {x.Length} values, {n} rows of {k} need {(n - 1) * ldx + k}");
        if (y.Length < (n - 1) * ldy + m) throw new ArgumentException($"y holds {y.Length} values, {n} rows of {m} need {(n - 1) * ldy + m}");
        ref float xs = ref Unsafe.AsRef(in x[0]);
        ref float ys = ref y[0];
        ref float ws = ref w.Data[0];
        switch (Simd.Width)
        {
            case KernelWidth.Vector512: return Gemm512.Multiply(ref xs, n, ldx, ref ws, k, w.Panels, m, ref ys, ldy, y.Length, rail);
            case KernelWidth.Vector256: Gemm256.Multiply(ref xs, n, ldx, ref ws, k, w.Panels, m, ref ys, ldy); break;
            default: MultiplyScalar(ref xs, n, ldx, ref ws, k, m, ref ys, ldy); break;
        }
        if (float.IsPositiveInfinity(rail)) return 0;
        if (ldy == m) return Circuits.Rails.Clamp(y[..(n * m)], rail);
        int held = 0;
        for (int i = 0; i < n; i++) held += Circuits.Rails.Clamp(y.Slice(i * ldy, m), rail);
        return held;
    }

    /// <summary>The first <paramref name="cols"/> columns of a block's rows (stored <paramref name="width"/> apart) into y's rows.</summary>
    internal static void CopyColumns(ReadOnlySpan<float> block, int width, int rows, ref float y, int ldy, int cols)
    {
        for (int i = 0; i < rows; i++) block.Slice(i * width, cols).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, (nint)i * ldy), cols));
    }

    /// <summary>c held at ±high, as <see cref="Circuits.Rails.Clamp"/> holds it; lanes in <paramref name="counted"/> that were held add one to count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Hold(Vector512<float> c, Vector512<float> high, Vector512<float> counted, ref Vector512<int> count)
    {
        var above = Vector512.GreaterThan(c, high);
        var below = Vector512.LessThan(c, -high);
        count -= ((above | below) & counted).AsInt32();
        return Vector512.ConditionalSelect(below, -high, Vector512.ConditionalSelect(above, high, c));
    }

    /// <summary>The lanes of a panel that hold real outputs: the first <paramref name="cols"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Columns(int cols) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).AsSingle();

    /// <summary>All lanes when row <paramref name="row"/> of a block is one of its <paramref name="rows"/> real rows, none otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Row(int row, int rows) => row < rows ? Vector512<float>.AllBitsSet : Vector512<float>.Zero;

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
