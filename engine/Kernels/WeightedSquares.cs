using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// Each sample's Σ_r x_r²·g_r over a batch [n × rows] (a tile's cell power: g is each row's Σ_c (G⁺ + G⁻)).
/// The sum has one order on every instruction width: sixteen partial sums, lane l taking rows l, l + 16,
/// l + 32, … by acc = fma(x_r·x_r, g_r, acc) (the square rounded first), then halved pairwise — lanes
/// 0–7 + 8–15, 0–3 + 4–7, 0–1 + 2–3, 0 + 1. A one-column matrix product (row order) ran one useful
/// column in sixteen and cost 8 % of a large-model run; this runs along the rows, one vector per 16.
/// With g ≥ 0 no partial sum is −0, so rows past the end (zero on the vector path, skipped on the scalar
/// one) leave the bits alone.
/// </summary>
public static class WeightedSquares
{
    private const int Lanes = 16;

    public static void Sum(ReadOnlySpan<float> x, int n, int rows, ReadOnlySpan<float> g, Span<float> sums)
    {
        if (x.Length < n * rows || g.Length < rows || sums.Length < n) throw new ArgumentException($"{n} × {rows} inputs, {rows} weights and {n} sums expected");
        switch (Simd.Width)
        {
            case KernelWidth.Vector512: Sum512(x, n, rows, g, sums); break;
            case KernelWidth.Vector256: Sum256(x, n, rows, g, sums); break;
            default: SumScalar(x, n, rows, g, sums); break;
        }
    }

    private static void Sum512(ReadOnlySpan<float> x, int n, int rows, ReadOnlySpan<float> g, Span<float> sums)
    {
        int whole = rows / Lanes * Lanes, tail = rows - whole;
        Span<float> buffer = stackalloc float[Lanes];
        buffer.Clear();
        g.Slice(whole, tail).CopyTo(buffer);
        var gTail = Vector512.Create((ReadOnlySpan<float>)buffer);
        var inTail = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(tail)).AsSingle();
        for (int i = 0; i < n; i++)
        {
            var row = x.Slice(i * rows, rows);
            var acc = Vector512<float>.Zero;
            for (int r = 0; r < whole; r += Lanes)
            {
                var v = Vector512.Create(row.Slice(r, Lanes));
                acc = Vector512.FusedMultiplyAdd(v * v, Vector512.Create(g.Slice(r, Lanes)), acc);
            }
            if (tail > 0)
            {
                Vector512<float> v;
                if (i * rows + whole + Lanes <= x.Length) v = Vector512.Create(x.Slice(i * rows + whole, Lanes));
                else
                {
                    row[whole..].CopyTo(buffer);
                    v = Vector512.Create((ReadOnlySpan<float>)buffer);
                }
                acc = Vector512.FusedMultiplyAdd(Vector512.ConditionalSelect(inTail, v * v, Vector512<float>.Zero), gTail, acc);
            }
            var eight = acc.GetLower() + acc.GetUpper();
            var four = eight.GetLower() + eight.GetUpper();
            sums[i] = Reduce4(four);
        }
    }

    private static void Sum256(ReadOnlySpan<float> x, int n, int rows, ReadOnlySpan<float> g, Span<float> sums)
    {
        const int half = Lanes / 2;
        Span<float> gPadded = stackalloc float[(rows + Lanes - 1) / Lanes * Lanes];
        gPadded.Clear();
        g[..rows].CopyTo(gPadded);
        Span<float> row = stackalloc float[gPadded.Length];
        row.Clear();
        for (int i = 0; i < n; i++)
        {
            x.Slice(i * rows, rows).CopyTo(row);
            Vector256<float> low = Vector256<float>.Zero, high = Vector256<float>.Zero;
            for (int r = 0; r < row.Length; r += Lanes)
            {
                var a = Vector256.Create((ReadOnlySpan<float>)row.Slice(r, half));
                var b = Vector256.Create((ReadOnlySpan<float>)row.Slice(r + half, half));
                low = Vector256.FusedMultiplyAdd(a * a, Vector256.Create((ReadOnlySpan<float>)gPadded.Slice(r, half)), low);
                high = Vector256.FusedMultiplyAdd(b * b, Vector256.Create((ReadOnlySpan<float>)gPadded.Slice(r + half, half)), high);
            }
            var eight = low + high;
            sums[i] = Reduce4(eight.GetLower() + eight.GetUpper());
        }
    }

    private static void SumScalar(ReadOnlySpan<float> x, int n, int rows, ReadOnlySpan<float> g, Span<float> sums)
    {
        Span<float> acc = stackalloc float[Lanes];
        for (int i = 0; i < n; i++)
        {
            acc.Clear();
            var row = x.Slice(i * rows, rows);
            for (int r = 0; r < rows; r++) acc[r % Lanes] = MathF.FusedMultiplyAdd(row[r] * row[r], g[r], acc[r % Lanes]);
            for (int l = 0; l < 8; l++) acc[l] += acc[l + 8];
            for (int l = 0; l < 4; l++) acc[l] += acc[l + 4];
            sums[i] = (acc[0] + acc[2]) + (acc[1] + acc[3]);
        }
    }

    private static float Reduce4(Vector128<float> four) => (four[0] + four[2]) + (four[1] + four[3]);
}
