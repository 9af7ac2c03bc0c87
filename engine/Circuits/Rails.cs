using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MemristorGrid.Engine.Kernels;

namespace MemristorGrid.Engine.Circuits;

/// <summary>An amplifier's output swing: values beyond ±rail are held at the rail and counted.</summary>
public static class Rails
{
    /// <summary>Clamps <paramref name="values"/> in place to ±<paramref name="rail"/>; returns how many were clamped. NaN passes through.</summary>
    public static int Clamp(Span<float> values, float rail)
    {
        if (float.IsPositiveInfinity(rail)) return 0;
        int clamped = 0, i = 0;
        if (Simd.Width == KernelWidth.Vector512)
        {
            // In place through refs, counting in a vector (each clamped lane adds −1 as a mask): slicing a span and
            // extracting a mask per vector made this 1.0 µs for a 227 × 64 batch, a tenth of the tile's product.
            ref float v0 = ref MemoryMarshal.GetReference(values);
            var high = Vector512.Create(rail);
            var low = -high;
            var count = Vector512<int>.Zero;
            for (; i + Vector512<float>.Count <= values.Length; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref v0, (nuint)i);
                var above = Vector512.GreaterThan(v, high);
                var below = Vector512.LessThan(v, low);
                count -= (above | below).AsInt32();
                Vector512.ConditionalSelect(below, low, Vector512.ConditionalSelect(above, high, v)).StoreUnsafe(ref v0, (nuint)i);
            }
            clamped = Vector512.Sum(count);
        }
        for (; i < values.Length; i++)
        {
            float v = values[i];
            if (v > rail) { values[i] = rail; clamped++; }
            else if (v < -rail) { values[i] = -rail; clamped++; }
        }
        return clamped;
    }
}
