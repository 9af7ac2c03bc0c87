using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MemristorGrid.Engine.Kernels;

namespace MemristorGrid.Engine.Circuits;

/// <summary>
/// A uniform converter with 2^bits codes over [−full scale, +full scale): code k stands for
/// −FS + k·2FS/2^bits, so zero is exact and the top code is one step below +FS — the paper's 12-bit
/// DACs (code = 2048·(1 + v), v ∈ [−1, 1)). Values beyond ±FS are clamped and counted as overflows.
/// Zero bits means ideal: no range limit and no rounding.
/// </summary>
public readonly record struct Quantizer(int Bits, float FullScale)
{
    public static Quantizer Ideal => new(0, float.PositiveInfinity);

    /// <summary>The converter a profile describes: <paramref name="bits"/> over ±<paramref name="fullScaleVolts"/>,
    /// in network units of <paramref name="voltsPerUnit"/> volts; 0 bits is ideal.</summary>
    public static Quantizer For(int bits, double fullScaleVolts, double voltsPerUnit) =>
        bits == 0 ? Ideal : new Quantizer(bits, (float)(fullScaleVolts / voltsPerUnit));

    public bool IsIdeal => Bits == 0;
    public float Step => IsIdeal ? 0f : 2f * FullScale / (1 << Bits);

    /// <summary>Quantises in place; returns how many values overflowed the range. The vector path gives the scalar path's bits.</summary>
    public int Apply(Span<float> values)
    {
        if (IsIdeal) return 0;
        int clipped = 0, i = 0;
        if (Simd.Width == KernelWidth.Vector512)
        {
            var fs = Vector512.Create(FullScale);
            var step = Vector512.Create(Step);
            var top = Vector512.Create((float)((1 << (Bits - 1)) - 1));
            var bottom = Vector512.Create((float)-(1 << (Bits - 1)));
            // In place through refs, overflows counted in a vector (as Rails.Clamp): a span slice and a mask extraction per
            // vector cost as much as the quantisation.
            ref float v0 = ref MemoryMarshal.GetReference(values);
            var count = Vector512<int>.Zero;
            for (; i + Vector512<float>.Count <= values.Length; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref v0, (nuint)i);
                count -= (Vector512.GreaterThan(v, fs) | Vector512.LessThan(v, -fs)).AsInt32();
                var code = Vector512.Round(v / step);
                code = Vector512.ConditionalSelect(Vector512.LessThan(code, bottom), bottom, Vector512.ConditionalSelect(Vector512.GreaterThan(code, top), top, code));
                Vector512.ConditionalSelect(Vector512.Equals(v, v), code * step, Vector512<float>.Zero).StoreUnsafe(ref v0, (nuint)i);
            }
            clipped = Vector512.Sum(count);
        }
        for (; i < values.Length; i++)
        {
            values[i] = Apply(values[i], out bool c);
            if (c) clipped++;
        }
        return clipped;
    }

    public float Apply(float value, out bool overflow)
    {
        overflow = false;
        if (IsIdeal) return value;
        float fs = FullScale, step = Step;
        if (float.IsNaN(value)) return 0f;
        if (value > fs || value < -fs) overflow = true;
        float code = MathF.Round(value / step);
        float top = (1 << (Bits - 1)) - 1, bottom = -(1 << (Bits - 1));
        return Math.Clamp(code, bottom, top) * step;
    }

    /// <summary>Double-precision variant for controller coefficients.</summary>
    public double Apply(double value)
    {
        if (IsIdeal) return value;
        double step = 2.0 * FullScale / (1 << Bits);
        double code = Math.Clamp(Math.Round(value / step), -(1 << (Bits - 1)), (1 << (Bits - 1)) - 1);
        return code * step;
    }
}
