using System.Numerics;
using System.Runtime.CompilerServices;

namespace MemristorGrid.Engine.Randomness;

/// <summary>
/// Draws keyed by (seed, stream, counter). The seed is the Philox key; the stream and the counter
/// fill the 128-bit Philox counter, so distinct (stream, counter) pairs never share a block.
/// Each block yields four values; value <c>i</c> of a stream lives in block <c>i / 4</c>.
/// </summary>
public readonly struct CounterRng(ulong seed, ulong stream)
{
    public ulong Seed { get; } = seed;
    public ulong Stream { get; } = stream;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (uint, uint, uint, uint) BlockAt(ulong block) =>
        Philox.Block((uint)block, (uint)(block >> 32), (uint)Stream, (uint)(Stream >> 32), (uint)Seed, (uint)(Seed >> 32));

    /// <summary>The 32-bit word at position <paramref name="counter"/> of this stream.</summary>
    public uint NextUInt(ulong counter)
    {
        var (a, b, c, d) = BlockAt(counter >> 2);
        return (counter & 3) switch { 0 => a, 1 => b, 2 => c, _ => d };
    }

    /// <summary>Uniform in (0, 1]: never 0, so it is safe under a logarithm.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToUnitOpenZero(uint word) => (word + 1.0) * (1.0 / 4294967296.0);

    /// <summary>Uniform in (0, 1] at position <paramref name="counter"/>.</summary>
    public double Uniform(ulong counter) => ToUnitOpenZero(NextUInt(counter));

    /// <summary>Standard normal number <paramref name="index"/> of this stream (Box–Muller on one block).</summary>
    public double Gaussian(ulong index)
    {
        var (g0, g1, g2, g3) = GaussianBlock(index >> 2);
        return (index & 3) switch { 0 => g0, 1 => g1, 2 => g2, _ => g3 };
    }

    /// <summary>Fills <paramref name="destination"/> with uniforms in [low, high), starting at value <paramref name="start"/>.</summary>
    public void FillUniform(Span<float> destination, float low, float high, ulong start = 0)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            double u = NextUInt(start + (ulong)i) * (1.0 / 4294967296.0);
            destination[i] = (float)(low + (high - low) * u);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with N(0, 1) values number start, start+1, … of this stream.</summary>
    public void FillGaussian(Span<float> destination, ulong start = 0) => FillGaussianCore(destination, start);

    /// <summary>Double-precision variant of <see cref="FillGaussian(Span{float}, ulong)"/>.</summary>
    public void FillGaussian(Span<double> destination, ulong start = 0) => FillGaussianCore(destination, start);

    /// <summary>Value i is <see cref="Gaussian"/>(start + i); each Philox block is computed once.</summary>
    private void FillGaussianCore<T>(Span<T> destination, ulong start) where T : IBinaryFloatingPointIeee754<T>
    {
        int i = 0;
        while (i < destination.Length)
        {
            ulong index = start + (ulong)i;
            var (g0, g1, g2, g3) = GaussianBlock(index >> 2);
            for (int lane = (int)(index & 3); lane < 4 && i < destination.Length; lane++, i++)
                destination[i] = T.CreateTruncating(lane switch { 0 => g0, 1 => g1, 2 => g2, _ => g3 });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (double, double, double, double) GaussianBlock(ulong block)
    {
        var (a, b, c, d) = BlockAt(block);
        var (g0, g1) = BoxMuller(a, b);
        var (g2, g3) = BoxMuller(c, d);
        return (g0, g1, g2, g3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double, double) BoxMuller(uint a, uint b)
    {
        double r = Math.Sqrt(-2.0 * Math.Log(ToUnitOpenZero(a)));
        double theta = 2.0 * Math.PI * (b * (1.0 / 4294967296.0));
        var (sin, cos) = Math.SinCos(theta);
        return (r * cos, r * sin);
    }
}
