using MemristorGrid.Engine.Kernels;

namespace MemristorGrid.Engine.Tests;

/// <summary>Runs a kernel on one instruction width (<see cref="Simd.Width"/>, the switch every vector kernel reads), then puts
/// the machine's width back.</summary>
internal static class SimdWidths
{
    public static T With<T>(KernelWidth width, Func<T> run)
    {
        var before = Simd.Width;
        Simd.Width = width;
        try { return run(); }
        finally { Simd.Width = before; }
    }
}
