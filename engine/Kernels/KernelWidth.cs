using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>Which instruction width the kernels use; every width gives the same bits.</summary>
public enum KernelWidth { Scalar, Vector256, Vector512 }

/// <summary>The one switch every vector kernel reads (<see cref="Gemm"/>, <see cref="FastTrig"/>, the read-noise
/// normals, rails and converters): the widest this machine runs; tests set it to check that every path agrees.</summary>
public static class Simd
{
    public static KernelWidth Width { get; internal set; } = Vector512.IsHardwareAccelerated ? KernelWidth.Vector512
        : Vector256.IsHardwareAccelerated ? KernelWidth.Vector256 : KernelWidth.Scalar;
}
