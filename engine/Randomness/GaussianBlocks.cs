using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MemristorGrid.Engine.Kernels;

namespace MemristorGrid.Engine.Randomness;

/// <summary>
/// Normal draws for the hot path (read noise), 16 Philox blocks (64 values) at a time in single
/// precision with the runtime's vector logarithm and FastTrig's sine/cosine. The stream is laid out as the vectors
/// hold it: value i is Box–Muller output k = (i / 16) mod 4 of block b = 16·(i / 64) + i mod 16, the
/// value <see cref="CounterRng.Gaussian"/>(4b + k) gives in double precision (<see cref="SourceIndex"/>),
/// so a group of 64 is four contiguous stores. A value differs from that double-precision draw by a few
/// single-precision ulps, except next to zero, where u → 1 in −2 ln u loses digits (absolute error
/// below 4e-4). Lane for lane the 512- and 128-bit paths compute the same operations, so the bits do
/// not depend on the machine's vector width.
/// </summary>
public static class GaussianBlocks
{
    private const uint M0 = Philox.M0, M1 = Philox.M1, W0 = Philox.W0, W1 = Philox.W1;
    private const int Blocks = 16;

    /// <summary>Fills <paramref name="destination"/> with N(0, 1) values start, start + 1, … of <paramref name="rng"/>'s stream.</summary>
    public static void Fill(in CounterRng rng, Span<float> destination, ulong start)
    {
        Span<float> group = stackalloc float[4 * Blocks];
        int written = 0;
        while (written < destination.Length)
        {
            ulong index = start + (ulong)written;
            ulong block = index / (4 * Blocks) * Blocks;
            int offset = (int)(index % (4 * Blocks)), take = Math.Min(4 * Blocks - offset, destination.Length - written);
            if (Simd.Width == KernelWidth.Vector512 && offset == 0 && destination.Length - written >= 8 * Blocks)
            {
                Compute512Pair(block, rng.Stream, rng.Seed, destination.Slice(written, 8 * Blocks));
                written += 8 * Blocks;
                continue;
            }
            var target = offset == 0 && take == 4 * Blocks ? destination.Slice(written, take) : group;
            if (Simd.Width == KernelWidth.Vector512) Compute512(block, rng.Stream, rng.Seed, target);
            else for (int q = 0; q < Blocks; q += 4) Compute128(block + (ulong)q, rng.Stream, rng.Seed, target, q);
            if (target == group) group.Slice(offset, take).CopyTo(destination.Slice(written, take));
            written += take;
        }
    }

    /// <summary>The index of <see cref="CounterRng.Gaussian"/> whose double-precision value draw <paramref name="i"/> is.</summary>
    public static ulong SourceIndex(ulong i) => 4 * (i / (4 * Blocks) * Blocks + i % Blocks) + i / Blocks % 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute512(ulong block, ulong stream, ulong seed, Span<float> soa)
    {
        var (c0, c1, c2, c3) = Counters(block, stream);
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
            var (hi0, lo0) = MultiplyWide(c0, M0);
            var (hi1, lo1) = MultiplyWide(c2, M1);
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ Vector512.Create(k0), lo1, hi0 ^ c3 ^ Vector512.Create(k1), lo0);
            k0 += W0;
            k1 += W1;
        }
        StoreGroup(c0, c1, c2, c3, soa);
    }

    /// <summary>A group's four Box–Muller outputs, sixteen values each, stored one after another (the stream's layout).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreGroup(Vector512<uint> c0, Vector512<uint> c1, Vector512<uint> c2, Vector512<uint> c3, Span<float> soa)
    {
        var (g0, g1) = BoxMuller(c0, c1);
        var (g2, g3) = BoxMuller(c2, c3);
        g0.CopyTo(soa);
        g1.CopyTo(soa[Blocks..]);
        g2.CopyTo(soa[(2 * Blocks)..]);
        g3.CopyTo(soa[(3 * Blocks)..]);
    }

    /// <summary>
    /// Two groups (blocks b … b + 31, 128 values) with their rounds interleaved: one group's ten rounds are a
    /// chain of dependent multiplies, so a second independent chain fills the multiplier's latency. The same
    /// operations per lane as <see cref="Compute512"/>, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute512Pair(ulong block, ulong stream, ulong seed, Span<float> soa)
    {
        var (a0, a1, a2, a3) = Counters(block, stream);
        var (b0, b1, b2, b3) = Counters(block + Blocks, stream);
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
            var key0 = Vector512.Create(k0);
            var key1 = Vector512.Create(k1);
            var (ahi0, alo0) = MultiplyWide(a0, M0);
            var (bhi0, blo0) = MultiplyWide(b0, M0);
            var (ahi1, alo1) = MultiplyWide(a2, M1);
            var (bhi1, blo1) = MultiplyWide(b2, M1);
            (a0, a1, a2, a3) = (ahi1 ^ a1 ^ key0, alo1, ahi0 ^ a3 ^ key1, alo0);
            (b0, b1, b2, b3) = (bhi1 ^ b1 ^ key0, blo1, bhi0 ^ b3 ^ key1, blo0);
            k0 += W0;
            k1 += W1;
        }
        StoreGroup(a0, a1, a2, a3, soa);
        StoreGroup(b0, b1, b2, b3, soa[(4 * Blocks)..]);
    }

    /// <summary>Philox's counters for blocks b … b + 15 of <paramref name="stream"/>: the block index's two words (with the low word's carry) and the stream's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<uint>, Vector512<uint>, Vector512<uint>, Vector512<uint>) Counters(ulong block, ulong stream)
    {
        var lo = Vector512.Create((uint)block) + Vector512<uint>.Indices;
        var hi = Vector512.Create((uint)(block >> 32)) - Vector512.LessThan(lo, Vector512.Create((uint)block)); // carry: true is all ones
        return (lo, hi, Vector512.Create((uint)stream), Vector512.Create((uint)(stream >> 32)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<uint> High, Vector512<uint> Low) MultiplyWide(Vector512<uint> a, uint m)
    {
        if (Avx512F.IsSupported)
        {
            // vpmuludq multiplies the even 32-bit lanes into 64-bit products; the odd lanes are shifted down for a second one.
            var mu = Vector512.Create(m);
            var even = Avx512F.Multiply(a, mu);
            var odd = Avx512F.Multiply((a.AsUInt64() >>> 32).AsUInt32(), mu);
            var lowHalf = Vector512.Create(0xFFFF_FFFFUL);
            return (((even >>> 32) | (odd & ~lowHalf)).AsUInt32(), ((even & lowHalf) | (odd << 32)).AsUInt32());
        }
        var mv = Vector512.Create((ulong)m);
        var low = Vector512.WidenLower(a) * mv;
        var high = Vector512.WidenUpper(a) * mv;
        return (Vector512.Narrow(low >>> 32, high >>> 32), Vector512.Narrow(low, high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Cos, Vector512<float> Sin) BoxMuller(Vector512<uint> a, Vector512<uint> b)
    {
        const float twoToMinus32 = 1f / 4294967296f;
        var u = Vector512.ConvertToSingle(a) * twoToMinus32 + Vector512.Create(twoToMinus32); // (0, 1]: never 0
        var r = Vector512.Sqrt(Vector512.Create(-2f) * Vector512.Log(u));
        var theta = Vector512.ConvertToSingle(b) * (2f * MathF.PI * twoToMinus32);
        var (sin, cos) = FastTrig.SinCos(theta);
        return (r * cos, r * sin);
    }

    // The 512-bit rounds again on 128-bit vectors (four calls fill a group): machines without AVX-512
    // would run Vector512 code in software, and .NET offers no width-generic vector type to share one body.
    private static void Compute128(ulong block, ulong stream, ulong seed, Span<float> soa, int at)
    {
        var lo = Vector128.Create((uint)block) + Vector128<uint>.Indices;
        var c1 = Vector128.Create((uint)(block >> 32)) - Vector128.LessThan(lo, Vector128.Create((uint)block));
        var c0 = lo;
        var c2 = Vector128.Create((uint)stream);
        var c3 = Vector128.Create((uint)(stream >> 32));
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        for (int round = 0; round < 10; round++)
        {
            var (hi0, lo0) = MultiplyWide(c0, M0);
            var (hi1, lo1) = MultiplyWide(c2, M1);
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ Vector128.Create(k0), lo1, hi0 ^ c3 ^ Vector128.Create(k1), lo0);
            k0 += W0;
            k1 += W1;
        }
        var (g0, g1) = BoxMuller(c0, c1);
        var (g2, g3) = BoxMuller(c2, c3);
        g0.CopyTo(soa[at..]);
        g1.CopyTo(soa[(Blocks + at)..]);
        g2.CopyTo(soa[(2 * Blocks + at)..]);
        g3.CopyTo(soa[(3 * Blocks + at)..]);
    }

    private static (Vector128<uint> High, Vector128<uint> Low) MultiplyWide(Vector128<uint> a, uint m)
    {
        var mv = Vector128.Create((ulong)m);
        var low = Vector128.WidenLower(a) * mv;
        var high = Vector128.WidenUpper(a) * mv;
        return (Vector128.Narrow(low >>> 32, high >>> 32), Vector128.Narrow(low, high));
    }

    private static (Vector128<float> Cos, Vector128<float> Sin) BoxMuller(Vector128<uint> a, Vector128<uint> b)
    {
        const float twoToMinus32 = 1f / 4294967296f;
        var u = Vector128.ConvertToSingle(a) * twoToMinus32 + Vector128.Create(twoToMinus32);
        var r = Vector128.Sqrt(Vector128.Create(-2f) * Vector128.Log(u));
        var theta = Vector128.ConvertToSingle(b) * (2f * MathF.PI * twoToMinus32);
        var (sin, cos) = FastTrig.SinCos(theta);
        return (r * cos, r * sin);
    }
}
