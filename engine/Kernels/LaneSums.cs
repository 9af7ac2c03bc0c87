using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// A dot product whose bits do not depend on the instruction width: element r goes to partial sum
/// r mod 16 (acc = fma(a_r, b_r, acc), in order), and the 16 partials are added in one fixed tree. The
/// 512-bit path holds the partials in one register, the 256-bit path in two, the scalar path in 16
/// locals. (TensorPrimitives.Dot's order follows the machine's widest vector.)
/// </summary>
public static class LaneSums
{
    private const int L = 16;

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}");
        Span<float> partial = stackalloc float[L];
        int n = a.Length, full = n / L * L;
        ref float ra = ref Unsafe.AsRef(in a.GetPinnableReference());
        ref float rb = ref Unsafe.AsRef(in b.GetPinnableReference());
        switch (Simd.Width)
        {
            case KernelWidth.Vector512:
            {
                var acc = Vector512<float>.Zero;
                for (int r = 0; r < full; r += L)
                    acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, (nuint)r), Vector512.LoadUnsafe(ref rb, (nuint)r), acc);
                acc.StoreUnsafe(ref partial[0]);
                break;
            }
            case KernelWidth.Vector256:
            {
                Vector256<float> low = Vector256<float>.Zero, high = Vector256<float>.Zero;
                for (int r = 0; r < full; r += L)
                {
                    low = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)r), Vector256.LoadUnsafe(ref rb, (nuint)r), low);
                    high = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)r + 8), Vector256.LoadUnsafe(ref rb, (nuint)r + 8), high);
                }
                low.StoreUnsafe(ref partial[0]);
                high.StoreUnsafe(ref partial[0], 8);
                break;
            }
            default:
                partial.Clear();
                for (int r = 0; r < full; r++) partial[r % L] = MathF.FusedMultiplyAdd(a[r], b[r], partial[r % L]);
                break;
        }
        for (int r = full; r < n; r++) partial[r - full] = MathF.FusedMultiplyAdd(a[r], b[r], partial[r - full]);
        for (int half = L / 2; half >= 1; half /= 2)
            for (int j = 0; j < half; j++) partial[j] += partial[j + half];
        return partial[0];
    }

    /// <summary>
    /// <see cref="Dot"/> of every row of <paramref name="a"/> ([rows × length]) with <paramref name="b"/>, into
    /// <paramref name="result"/>: the same bits, row after row without a call each. On 512-bit vectors the
    /// partials stay in one register: the tail goes to lanes 0 … tail − 1 under a mask, and the fixed tree
    /// is the register's halves added down to one lane.
    /// </summary>
    public static void DotRows(ReadOnlySpan<float> a, int rows, int length, ReadOnlySpan<float> b, Span<float> result)
    {
        if (b.Length != length || a.Length < rows * length || result.Length < rows) throw new ArgumentException($"{rows} rows of {length} against {b.Length} values");
        if (Simd.Width != KernelWidth.Vector512 || length == 0)
        {
            for (int i = 0; i < rows; i++) result[i] = Dot(a.Slice(i * length, length), b);
            return;
        }
        int full = length / L * L, tail = length - full;
        Span<float> padded = stackalloc float[2 * L];
        padded.Clear();
        b[full..].CopyTo(padded);
        var bTail = Vector512.Create((ReadOnlySpan<float>)padded[..L]);
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(tail)).AsSingle();
        ref float rb = ref Unsafe.AsRef(in b.GetPinnableReference());
        for (int i = 0; i < rows; i++)
        {
            var row = a.Slice(i * length, length);
            ref float ra = ref Unsafe.AsRef(in row.GetPinnableReference());
            var acc = Vector512<float>.Zero;
            for (int r = 0; r < full; r += L)
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, (nuint)r), Vector512.LoadUnsafe(ref rb, (nuint)r), acc);
            if (tail > 0)
            {
                // A whole vector from the tail's start, unless it would read past a: then through the stack.
                Vector512<float> aTail;
                if (i * length + full + L <= a.Length) aTail = Vector512.LoadUnsafe(ref ra, (nuint)full);
                else
                {
                    row[full..].CopyTo(padded[L..]);
                    aTail = Vector512.Create((ReadOnlySpan<float>)padded[L..]);
                }
                acc = Vector512.ConditionalSelect(mask, Vector512.FusedMultiplyAdd(aTail, bTail, acc), acc);
            }
            var half8 = acc.GetLower() + acc.GetUpper();
            var half4 = half8.GetLower() + half8.GetUpper();
            var half2 = half4 + Vector128.Shuffle(half4, Vector128.Create(2, 3, 0, 1));
            result[i] = half2.GetElement(0) + half2.GetElement(1);
        }
    }
}
