using System.Runtime.CompilerServices;

namespace MemristorGrid.Engine.Randomness;

/// <summary>
/// Philox4x32-10 (Salmon et al., SC'11): a counter-based generator. Every block of four 32-bit words
/// is a pure function of (key, counter), so any draw can be recomputed from (seed, stream, counter)
/// without replaying a sequence — which is what makes results independent of thread scheduling,
/// silo count, placement and retries.
/// </summary>
public static class Philox
{
    // Multipliers and Weyl key increments of Philox4x32 (GaussianBlocks runs the same rounds on vectors).
    internal const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    internal const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>One 128-bit block for the 128-bit counter (c0..c3) under the 64-bit key (k0, k1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint, uint, uint, uint) Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
            uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
            k0 += W0;
            k1 += W1;
        }
        return (c0, c1, c2, c3);
    }
}
