using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>The 256-bit blocks of <see cref="Gemm"/>: 4 samples × 16 outputs per block, the same accumulation order as the 512-bit ones.</summary>
internal static class Gemm256
{
    private const int P = PackedMatrix.PanelWidth;

    public static void Multiply(ref float x, int n, int ldx, ref float w, int k, int panels, int m, ref float y, int ldy)
    {
        for (int p = 0; p < panels; p++)
        {
            ref float panel = ref Unsafe.Add(ref w, (nint)p * k * P);
            int cols = Math.Min(P, m - p * P);
            int i = 0;
            for (; i + 4 <= n; i += 4)
                Block4x16(ref Unsafe.Add(ref x, (nint)i * ldx), ldx, ref panel, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), ldy, cols);
            for (; i < n; i++)
                Block1x16(ref Unsafe.Add(ref x, (nint)i * ldx), ref panel, k, ref Unsafe.Add(ref y, (nint)i * ldy + p * P), cols);
        }
    }

    private static void Block4x16(ref float x0, int ldx, ref float panel, int k, ref float y, int ldy, int cols)
    {
        ref float x1 = ref Unsafe.Add(ref x0, ldx);
        ref float x2 = ref Unsafe.Add(ref x1, ldx);
        ref float x3 = ref Unsafe.Add(ref x2, ldx);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (nuint r = 0; r < (nuint)k; r++)
        {
            var b0 = Vector256.LoadUnsafe(ref panel, r * P);
            var b1 = Vector256.LoadUnsafe(ref panel, r * P + 8);
            var a = Vector256.Create(Unsafe.Add(ref x0, r));
            c00 = Vector256.FusedMultiplyAdd(a, b0, c00); c01 = Vector256.FusedMultiplyAdd(a, b1, c01);
            a = Vector256.Create(Unsafe.Add(ref x1, r));
            c10 = Vector256.FusedMultiplyAdd(a, b0, c10); c11 = Vector256.FusedMultiplyAdd(a, b1, c11);
            a = Vector256.Create(Unsafe.Add(ref x2, r));
            c20 = Vector256.FusedMultiplyAdd(a, b0, c20); c21 = Vector256.FusedMultiplyAdd(a, b1, c21);
            a = Vector256.Create(Unsafe.Add(ref x3, r));
            c30 = Vector256.FusedMultiplyAdd(a, b0, c30); c31 = Vector256.FusedMultiplyAdd(a, b1, c31);
        }
        bool full = cols == P;
        Span<float> partial = stackalloc float[full ? 0 : 4 * P];
        ref float o = ref full ? ref y : ref partial[0];
        nint stride = full ? ldy : P;
        c00.StoreUnsafe(ref o); c01.StoreUnsafe(ref o, 8);
        c10.StoreUnsafe(ref Unsafe.Add(ref o, stride)); c11.StoreUnsafe(ref Unsafe.Add(ref o, stride), 8);
        c20.StoreUnsafe(ref Unsafe.Add(ref o, 2 * stride)); c21.StoreUnsafe(ref Unsafe.Add(ref o, 2 * stride), 8);
        c30.StoreUnsafe(ref Unsafe.Add(ref o, 3 * stride)); c31.StoreUnsafe(ref Unsafe.Add(ref o, 3 * stride), 8);
        if (!full) Gemm.CopyColumns(partial, P, 4, ref y, ldy, cols);
    }

    private static void Block1x16(ref float x, ref float panel, int k, ref float y, int cols)
    {
        Vector256<float> c0 = default, c1 = default;
        for (nuint r = 0; r < (nuint)k; r++)
        {
            var a = Vector256.Create(Unsafe.Add(ref x, r));
            c0 = Vector256.FusedMultiplyAdd(a, Vector256.LoadUnsafe(ref panel, r * P), c0);
            c1 = Vector256.FusedMultiplyAdd(a, Vector256.LoadUnsafe(ref panel, r * P + 8), c1);
        }
        bool full = cols == P;
        Span<float> partial = stackalloc float[full ? 0 : P];
        ref float o = ref full ? ref y : ref partial[0];
        c0.StoreUnsafe(ref o); c1.StoreUnsafe(ref o, 8);
        if (!full) Gemm.CopyColumns(partial, P, 1, ref y, 0, cols);
    }
}
