using System.Buffers;
using System.Runtime.Intrinsics;

namespace MemristorGrid.Engine.Kernels;

/// <summary>A saturating ReLU after an addition, over a whole batch: y ← clamp(y + add, 0, ceiling), with
/// Math.Clamp's own comparisons on every instruction width, so −0 and NaN come out as the scalar loop
/// gives them. The activation circuits and the engine's forward pass both apply it.</summary>
public static class Relu
{
    public static void AddClamp(Span<float> y, ReadOnlySpan<float> add, float ceiling) => AddClamp(y, add, default, ceiling);

    /// <summary>y ← clamp((y + add) + then, 0, ceiling) in one pass (the forward pass's bias, then embedding);
    /// an empty <paramref name="then"/> adds nothing.</summary>
    public static void AddClamp(Span<float> y, ReadOnlySpan<float> add, ReadOnlySpan<float> then, float ceiling)
    {
        if (add.Length < y.Length || (!then.IsEmpty && then.Length < y.Length)) throw new ArgumentException($"fewer values to add than the {y.Length} in y");
        bool twice = !then.IsEmpty;
        int j = 0;
        if (Simd.Width == KernelWidth.Vector512)
        {
            var top = Vector512.Create(ceiling);
            for (; j + Vector512<float>.Count <= y.Length; j += Vector512<float>.Count)
            {
                var slice = y.Slice(j, Vector512<float>.Count);
                var v = Vector512.Create((ReadOnlySpan<float>)slice) + Vector512.Create(add.Slice(j, Vector512<float>.Count));
                if (twice) v += Vector512.Create(then.Slice(j, Vector512<float>.Count));
                Vector512.ConditionalSelect(Vector512.LessThan(v, Vector512<float>.Zero), Vector512<float>.Zero,
                    Vector512.ConditionalSelect(Vector512.GreaterThan(v, top), top, v)).CopyTo(slice);
            }
        }
        else if (Simd.Width == KernelWidth.Vector256)
        {
            var top = Vector256.Create(ceiling);
            for (; j + Vector256<float>.Count <= y.Length; j += Vector256<float>.Count)
            {
                var slice = y.Slice(j, Vector256<float>.Count);
                var v = Vector256.Create((ReadOnlySpan<float>)slice) + Vector256.Create(add.Slice(j, Vector256<float>.Count));
                if (twice) v += Vector256.Create(then.Slice(j, Vector256<float>.Count));
                Vector256.ConditionalSelect(Vector256.LessThan(v, Vector256<float>.Zero), Vector256<float>.Zero,
                    Vector256.ConditionalSelect(Vector256.GreaterThan(v, top), top, v)).CopyTo(slice);
            }
        }
        for (; j < y.Length; j++) y[j] = Math.Clamp(twice ? y[j] + add[j] + then[j] : y[j] + add[j], 0f, ceiling);
    }

    /// <summary>
    /// Row by row: sample i's <paramref name="width"/> values in <paramref name="y"/> take row
    /// <paramref name="rows"/>[i] of <paramref name="table"/> (a held controller's label rows), then the clamp;
    /// the same bits as <see cref="AddClamp(Span{float}, ReadOnlySpan{float}, float)"/> per row.
    /// The rows are first laid out per sample and then added in one pass: rows narrower than a vector (the
    /// paper's 14 hidden channels) would otherwise run on the scalar tail, and whole-vector rows written in
    /// place would each read the end of the previous row's store (a store-forwarding stall, measured 5× a flat pass).
    /// </summary>
    public static void AddClampRows(Span<float> y, int width, ReadOnlySpan<float> table, ReadOnlySpan<int> rows, float ceiling)
    {
        int n = rows.Length;
        if (y.Length < n * width) throw new ArgumentException($"y holds {y.Length} values, fewer than {n} rows of {width}");
        int lanes = Simd.Width switch { KernelWidth.Vector512 => Vector512<float>.Count, KernelWidth.Vector256 => Vector256<float>.Count, _ => 1 };
        // Narrow rows go as one whole vector each, read from a copy of the table with room after its last
        // row; the next row's store overwrites the spill.
        bool whole = width < lanes && table.Length <= n * width;
        int padded = whole ? table.Length + lanes : 0;
        float[] scratch = ArrayPool<float>.Shared.Rent(n * width + lanes + padded);
        try
        {
            var add = scratch.AsSpan(0, n * width + lanes);
            if (whole)
            {
                var source = scratch.AsSpan(n * width + lanes, padded);
                table.CopyTo(source);
                for (int i = 0; i < n; i++)
                {
                    int r = rows[i] * width;
                    if (lanes == Vector512<float>.Count) Vector512.Create((ReadOnlySpan<float>)source.Slice(r, lanes)).CopyTo(add.Slice(i * width, lanes));
                    else Vector256.Create((ReadOnlySpan<float>)source.Slice(r, lanes)).CopyTo(add.Slice(i * width, lanes));
                }
            }
            else
                for (int i = 0; i < n; i++) table.Slice(rows[i] * width, width).CopyTo(add.Slice(i * width, width));
            AddClamp(y[..(n * width)], add[..(n * width)], ceiling);
        }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }
}
