using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// sin and cos of a span of floats in vector registers: x = k·π/2 + r with |r| ≤ π/4 (π/2 in two parts,
/// fused multiply-adds), then Cephes' single-precision minimax polynomials for sin r and cos r, and the
/// quadrant k mod 4 picks and signs them. Within 2.5e-7 of the exact values for |x| ≤ 10⁴ (a test), the
/// same bits on every instruction width. The runtime's own vector SinCos measured 6–7 ns per value here
/// (no faster than scalar MathF.SinCos); this one makes the time embedding and the read-noise normals'
/// Box–Muller angles cheap.
/// </summary>
public static class FastTrig
{
    private const float TwoOverPi = 0.636619772367581343f;
    private const float PiOver2Hi = 1.57079637050628662109375f;   // float(π/2)
    private const float PiOver2Lo = -4.37113900018624283e-8f;     // π/2 − float(π/2)
    private const float S1 = -1.6666654611e-1f, S2 = 8.3321608736e-3f, S3 = -1.9515295891e-4f;
    private const float C1 = 4.166664568298827e-2f, C2 = -1.388731625493765e-3f, C3 = 2.443315711809948e-5f;

    public static void SinCos(ReadOnlySpan<float> x, Span<float> sin, Span<float> cos)
    {
        if (sin.Length < x.Length || cos.Length < x.Length) throw new ArgumentException("sin and cos must hold as many values as x");
        int i = 0;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ss = ref MemoryMarshal.GetReference(sin);
        ref float cs = ref MemoryMarshal.GetReference(cos);
        if (Simd.Width == KernelWidth.Vector512)
        {
            for (; i + Vector512<float>.Count <= x.Length; i += Vector512<float>.Count)
            {
                var (s, c) = SinCos(Vector512.LoadUnsafe(ref xs, (nuint)i));
                s.StoreUnsafe(ref ss, (nuint)i);
                c.StoreUnsafe(ref cs, (nuint)i);
            }
        }
        else if (Simd.Width == KernelWidth.Vector256)
        {
            for (; i + Vector256<float>.Count <= x.Length; i += Vector256<float>.Count)
            {
                var (s, c) = SinCos(Vector256.LoadUnsafe(ref xs, (nuint)i));
                s.StoreUnsafe(ref ss, (nuint)i);
                c.StoreUnsafe(ref cs, (nuint)i);
            }
        }
        for (; i < x.Length; i++) (sin[i], cos[i]) = SinCos(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<float> Sin, Vector512<float> Cos) SinCos(Vector512<float> x)
    {
        var k = Vector512.Round(x * Vector512.Create(TwoOverPi));
        var r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(PiOver2Hi), x);
        r = Vector512.FusedMultiplyAdd(-k, Vector512.Create(PiOver2Lo), r);
        var z = r * r;
        var ps = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(S3), z, Vector512.Create(S2)), z, Vector512.Create(S1)) * z, r, r);
        var pc = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(C3), z, Vector512.Create(C2)), z, Vector512.Create(C1)) * z, z,
            Vector512.FusedMultiplyAdd(Vector512.Create(-0.5f), z, Vector512<float>.One));
        var q = Vector512.ConvertToInt32(k);
        var swap = Vector512.Equals(q & Vector512<int>.One, Vector512<int>.One).AsSingle();
        var sinBase = Vector512.ConditionalSelect(swap, pc, ps);
        var cosBase = Vector512.ConditionalSelect(swap, ps, pc);
        var sinSign = Vector512.ShiftLeft(q & Vector512.Create(2), 30).AsSingle();                         // quadrants 2, 3: −
        var cosSign = Vector512.ShiftLeft((q + Vector512<int>.One) & Vector512.Create(2), 30).AsSingle(); // quadrants 1, 2: −
        return (sinBase ^ sinSign, cosBase ^ cosSign);
    }

    // The same steps on 256- and 128-bit vectors (the read-noise normals' narrow path): .NET offers no
    // width-generic vector type to share one body (ISimdVector is internal), as in Gemm.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector256<float> Sin, Vector256<float> Cos) SinCos(Vector256<float> x)
    {
        var k = Vector256.Round(x * Vector256.Create(TwoOverPi));
        var r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(PiOver2Hi), x);
        r = Vector256.FusedMultiplyAdd(-k, Vector256.Create(PiOver2Lo), r);
        var z = r * r;
        var ps = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(S3), z, Vector256.Create(S2)), z, Vector256.Create(S1)) * z, r, r);
        var pc = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(Vector256.Create(C3), z, Vector256.Create(C2)), z, Vector256.Create(C1)) * z, z,
            Vector256.FusedMultiplyAdd(Vector256.Create(-0.5f), z, Vector256<float>.One));
        var q = Vector256.ConvertToInt32(k);
        var swap = Vector256.Equals(q & Vector256<int>.One, Vector256<int>.One).AsSingle();
        var sinBase = Vector256.ConditionalSelect(swap, pc, ps);
        var cosBase = Vector256.ConditionalSelect(swap, ps, pc);
        var sinSign = Vector256.ShiftLeft(q & Vector256.Create(2), 30).AsSingle();
        var cosSign = Vector256.ShiftLeft((q + Vector256<int>.One) & Vector256.Create(2), 30).AsSingle();
        return (sinBase ^ sinSign, cosBase ^ cosSign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector128<float> Sin, Vector128<float> Cos) SinCos(Vector128<float> x)
    {
        var k = Vector128.Round(x * Vector128.Create(TwoOverPi));
        var r = Vector128.FusedMultiplyAdd(-k, Vector128.Create(PiOver2Hi), x);
        r = Vector128.FusedMultiplyAdd(-k, Vector128.Create(PiOver2Lo), r);
        var z = r * r;
        var ps = Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.Create(S3), z, Vector128.Create(S2)), z, Vector128.Create(S1)) * z, r, r);
        var pc = Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(Vector128.Create(C3), z, Vector128.Create(C2)), z, Vector128.Create(C1)) * z, z,
            Vector128.FusedMultiplyAdd(Vector128.Create(-0.5f), z, Vector128<float>.One));
        var q = Vector128.ConvertToInt32(k);
        var swap = Vector128.Equals(q & Vector128<int>.One, Vector128<int>.One).AsSingle();
        var sinBase = Vector128.ConditionalSelect(swap, pc, ps);
        var cosBase = Vector128.ConditionalSelect(swap, ps, pc);
        var sinSign = Vector128.ShiftLeft(q & Vector128.Create(2), 30).AsSingle();
        var cosSign = Vector128.ShiftLeft((q + Vector128<int>.One) & Vector128.Create(2), 30).AsSingle();
        return (sinBase ^ sinSign, cosBase ^ cosSign);
    }

    /// <summary>The same steps one value at a time (the same bits as the vector paths).</summary>
    private static (float Sin, float Cos) SinCos(float x)
    {
        float k = MathF.Round(x * TwoOverPi);
        float r = MathF.FusedMultiplyAdd(-k, PiOver2Hi, x);
        r = MathF.FusedMultiplyAdd(-k, PiOver2Lo, r);
        float z = r * r;
        float ps = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(S3, z, S2), z, S1) * z, r, r);
        float pc = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(C3, z, C2), z, C1) * z, z, MathF.FusedMultiplyAdd(-0.5f, z, 1f));
        int q = (int)k;
        float s = (q & 1) != 0 ? pc : ps, c = (q & 1) != 0 ? ps : pc;
        if ((q & 2) != 0) s = -s;
        if (((q + 1) & 2) != 0) c = -c;
        return (s, c);
    }
}
