using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// A Runge–Kutta stage's state y = x + h·(c₀k₀ + c₁k₁ + …) and an embedded error's per-coordinate ratio |h·(e₀k₀ + …)| / (atol +
/// rtol·max(|x|, |y|)), over whole lanes at once, with every coordinate's own step h (a sample's step repeated over its
/// coordinates). Each coordinate gets exactly the scalar expression's operations in its order — products rounded, sums taken
/// left to right, no fused multiply-add — so the vector path gives the plain loop's bits (tested), whatever the vector width.
/// A 2-D model's per-sample loops spent more time on their two coordinates' bookkeeping than on the arithmetic.
/// </summary>
public static class StageSums
{
    /// <summary>y[j] = x[j] + h[j]·(c[0]·k[0][j] + c[1]·k[1][j] + …) for j &lt; y.Length.</summary>
    public static void Stage(Span<double> y, ReadOnlySpan<double> x, ReadOnlySpan<double> h, ReadOnlySpan<double> c, ReadOnlySpan<double[]> k)
    {
        int n = y.Length, j = 0;
        Require(n, x.Length, h.Length, c, k);
        if (Simd.Width == KernelWidth.Vector512)
        {
            ref double yr = ref MemoryMarshal.GetReference(y);
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double hr = ref MemoryMarshal.GetReference(h);
            for (; j + Vector512<double>.Count <= n; j += Vector512<double>.Count)
                (Vector512.LoadUnsafe(ref xr, (nuint)j) + Vector512.LoadUnsafe(ref hr, (nuint)j) * WeightedSums(c, k, j)).StoreUnsafe(ref yr, (nuint)j);
        }
        for (; j < n; j++) y[j] = x[j] + h[j] * WeightedSum(c, k, j);
    }

    /// <summary>y[j] = x[j] + h[j]·c·k[j], multiplied in that order ((h·c)·k), as a first stage's loop writes it.</summary>
    public static void ScaledStep(Span<double> y, ReadOnlySpan<double> x, ReadOnlySpan<double> h, double c, ReadOnlySpan<double> k)
    {
        int n = y.Length, j = 0;
        if (x.Length < n || h.Length < n || k.Length < n) throw new ArgumentException("step operands shorter than the state");
        if (Simd.Width == KernelWidth.Vector512)
        {
            ref double yr = ref MemoryMarshal.GetReference(y);
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double hr = ref MemoryMarshal.GetReference(h);
            ref double kr = ref MemoryMarshal.GetReference(k);
            var cv = Vector512.Create(c);
            for (; j + Vector512<double>.Count <= n; j += Vector512<double>.Count)
                (Vector512.LoadUnsafe(ref xr, (nuint)j) + Vector512.LoadUnsafe(ref hr, (nuint)j) * cv * Vector512.LoadUnsafe(ref kr, (nuint)j)).StoreUnsafe(ref yr, (nuint)j);
        }
        for (; j < n; j++) y[j] = x[j] + h[j] * c * k[j];
    }

    /// <summary>ratio[j] = |h[j]·(e[0]·k[0][j] + …)| / (atol + rtol·max(|x[j]|, |y[j]|)): each coordinate's error against its tolerance.</summary>
    public static void ErrorRatios(Span<double> ratio, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> h, ReadOnlySpan<double> e,
        ReadOnlySpan<double[]> k, double absoluteTolerance, double relativeTolerance)
    {
        int n = ratio.Length, j = 0;
        Require(n, Math.Min(x.Length, y.Length), h.Length, e, k);
        if (Simd.Width == KernelWidth.Vector512)
        {
            ref double rr = ref MemoryMarshal.GetReference(ratio);
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double yr = ref MemoryMarshal.GetReference(y);
            ref double hr = ref MemoryMarshal.GetReference(h);
            var atol = Vector512.Create(absoluteTolerance);
            var rtol = Vector512.Create(relativeTolerance);
            for (; j + Vector512<double>.Count <= n; j += Vector512<double>.Count)
            {
                var err = Vector512.LoadUnsafe(ref hr, (nuint)j) * WeightedSums(e, k, j);
                var larger = LargerMagnitude(Vector512.Abs(Vector512.LoadUnsafe(ref xr, (nuint)j)), Vector512.Abs(Vector512.LoadUnsafe(ref yr, (nuint)j)));
                (Vector512.Abs(err) / (atol + rtol * larger)).StoreUnsafe(ref rr, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            double err = h[j] * WeightedSum(e, k, j);
            double scale = absoluteTolerance + relativeTolerance * Math.Max(Math.Abs(x[j]), Math.Abs(y[j]));
            ratio[j] = Math.Abs(err) / scale;
        }
    }

    /// <summary>Refuses no weights, operands shorter than the <paramref name="n"/> coordinates written, and fewer slopes than weights.</summary>
    private static void Require(int n, int states, int steps, ReadOnlySpan<double> weights, ReadOnlySpan<double[]> k)
    {
        if (weights.Length == 0) throw new ArgumentException("a stage needs at least one weight");
        if (states < n || steps < n || k.Length < weights.Length) throw new ArgumentException("stage operands shorter than the state");
        for (int t = 0; t < weights.Length; t++)
            if (k[t].Length < n) throw new ArgumentException("a stage slope is shorter than the state");
    }

    /// <summary>w[0]·k[0] + w[1]·k[1] + … at coordinates j … j + 7, added left to right.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> WeightedSums(ReadOnlySpan<double> w, ReadOnlySpan<double[]> k, int j)
    {
        var sum = Vector512.Create(w[0]) * Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(k[0]), (nuint)j);
        for (int t = 1; t < w.Length; t++)
            sum += Vector512.Create(w[t]) * Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(k[t]), (nuint)j);
        return sum;
    }

    /// <summary>w[0]·k[0][j] + w[1]·k[1][j] + …, added left to right: one coordinate of <see cref="WeightedSums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double WeightedSum(ReadOnlySpan<double> w, ReadOnlySpan<double[]> k, int j)
    {
        double sum = w[0] * k[0][j];
        for (int t = 1; t < w.Length; t++) sum += w[t] * k[t][j];
        return sum;
    }

    /// <summary><see cref="Math.Max(double, double)"/> of two magnitudes, NaN included (a NaN either side gives NaN), which the
    /// hardware's max instruction does not promise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> LargerMagnitude(Vector512<double> a, Vector512<double> b)
    {
        var max = Vector512.ConditionalSelect(Vector512.GreaterThan(b, a), b, a);
        var nan = ~Vector512.Equals(a, a) | ~Vector512.Equals(b, b);
        return Vector512.ConditionalSelect(nan, Vector512.Create(double.NaN), max);
    }
}
