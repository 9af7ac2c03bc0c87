using System.Numerics;
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
            var high = Vector512.Create(rail);
            var low = -high;
            for (; i + Vector512<float>.Count <= values.Length; i += Vector512<float>.Count)
            {
                var v = Vector512.Create((ReadOnlySpan<float>)values.Slice(i, Vector512<float>.Count));
                var above = Vector512.GreaterThan(v, high);
                var below = Vector512.LessThan(v, low);
                clamped += BitOperations.PopCount((above | below).ExtractMostSignificantBits());
                Vector512.ConditionalSelect(below, low, Vector512.ConditionalSelect(above, high, v)).CopyTo(values.Slice(i, Vector512<float>.Count));
            }
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
