using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Kernels;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Tests;

/// <summary>The batched kernels: the matrix product against a double-precision reference, and every
/// instruction width giving the same bits (so samples do not depend on the machine a lane runs on).</summary>
public class KernelTests
{
    private static readonly KernelWidth[] Widths = [KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar];

    private static float[] Random(int length, ulong stream, float scale = 1f)
    {
        var values = new float[length];
        new CounterRng(7, stream).FillUniform(values, -scale, scale);
        return values;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 3, 14)]
    [InlineData(9, 64, 64)]
    [InlineData(17, 65, 33)]
    [InlineData(8, 15, 47)]
    [InlineData(33, 256, 48)]
    [InlineData(3, 2, 17)]
    [InlineData(227, 64, 64)]
    [InlineData(6, 20, 80)]
    [InlineData(14, 9, 40)]
    public void Product_matches_a_double_reference_and_is_the_same_on_every_width(int n, int k, int m)
    {
        int ldx = k + 3, ldy = m + 2; // strides longer than the rows: the kernel must not read or write between them
        var x = Random(n * ldx, 1);
        var weights = Random(k * m, 2);
        var packed = PackedMatrix.FromInputRows(weights, k, m);
        float[] Run(KernelWidth width) => SimdWidths.With(width, () =>
        {
            var y = Enumerable.Repeat(-99f, n * ldy).ToArray();
            Gemm.Multiply(x, n, ldx, packed, y, ldy);
            return y;
        });
        var first = Run(Widths[0]);
        foreach (var width in Widths[1..]) Assert.Equal(first, Run(width));
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < m; c++)
            {
                double exact = 0, magnitude = 0;
                for (int r = 0; r < k; r++) { exact += (double)x[i * ldx + r] * weights[r * m + c]; magnitude += Math.Abs((double)x[i * ldx + r] * weights[r * m + c]); }
                Assert.True(Math.Abs(first[i * ldy + c] - exact) <= 1e-6 * magnitude + 1e-30, $"y[{i},{c}] = {first[i * ldy + c]}, exact {exact}");
            }
            for (int c = m; c < ldy; c++) Assert.Equal(-99f, first[i * ldy + c]);
        }
    }

    /// <summary>The product held at a rail in registers gives the bits and the count of a product followed by
    /// <see cref="Rails.Clamp"/>, on every width: padding columns, repeated remainder rows and a narrow output's
    /// spilled lanes are not counted, and NaN passes.</summary>
    [Theory]
    [InlineData(227, 64, 64, 64)]
    [InlineData(13, 15, 14, 14)]
    [InlineData(6, 20, 80, 80)]
    [InlineData(14, 9, 40, 43)]
    [InlineData(3, 7, 17, 17)]
    [InlineData(1, 5, 7, 7)]
    public void Product_held_at_a_rail_matches_the_product_then_the_rails(int n, int k, int m, int ldy)
    {
        var x = Random(n * k, 11, 2f);
        if (n > 1) x[k + 1] = float.NaN; // row 1 all NaN
        var packed = PackedMatrix.FromInputRows(Random(k * m, 12), k, m);
        const float rail = 0.9f;
        var expected = new float[n * ldy];
        Gemm.Multiply(x, n, k, packed, expected, ldy);
        int expectedHeld = 0;
        for (int i = 0; i < n; i++) expectedHeld += Rails.Clamp(expected.AsSpan(i * ldy, m), rail);
        Assert.True(expectedHeld > n * m / 10, $"only {expectedHeld} of {n * m} outputs beyond the rail");
        foreach (var width in Widths)
        {
            var (y, held) = SimdWidths.With(width, () =>
            {
                var y = new float[n * ldy];
                return (y, Gemm.Multiply(x, n, k, packed, y, ldy, rail));
            });
            Assert.Equal(expectedHeld, held);
            for (int i = 0; i < n; i++) Assert.Equal(expected.AsSpan(i * ldy, m).ToArray(), y.AsSpan(i * ldy, m).ToArray());
        }
    }

    /// <summary>A tile's power total: sample i into partial sum i mod 4 (the tail into the first), then paired — the same bits on
    /// every width — and each sample's sum scaled in place of a scalar loop.</summary>
    [Theory]
    [InlineData(2500)]
    [InlineData(227)]
    [InlineData(3)]
    [InlineData(0)]
    public void Power_total_has_one_order_on_every_width(int count)
    {
        var sums = Random(count, 13, 5f).Select(MathF.Abs).ToArray();
        double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int whole = count / 4 * 4;
        for (int i = 0; i < whole; i += 4) { p0 += sums[i]; p1 += sums[i + 1]; p2 += sums[i + 2]; p3 += sums[i + 3]; }
        for (int i = whole; i < count; i++) p0 += sums[i];
        double expected = (p0 + p1) + (p2 + p3);
        foreach (var width in Widths)
        {
            var scaled = new double[count];
            double total = SimdWidths.With(width, () => WeightedSquares.Total(sums, 0.37, scaled));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(total));
            for (int i = 0; i < count; i++) Assert.Equal(sums[i] * 0.37, scaled[i]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(SimdWidths.With(width, () => WeightedSquares.Total(sums, 0.37, default))));
        }
    }

    /// <summary>Narrow outputs with rows back to back (the paper's 14-wide layers): whole-vector stores spill
    /// into the next row, which must be stored after — and nothing may be written past the output.</summary>
    [Theory]
    [InlineData(13, 15, 14)]
    [InlineData(9, 3, 2)]
    [InlineData(16, 14, 16)]
    [InlineData(1, 5, 7)]
    [InlineData(24, 2, 14)]
    [InlineData(15, 4, 9)]
    public void Narrow_products_with_rows_back_to_back_match_strided_ones_and_stay_inside_the_output(int n, int k, int m)
    {
        var x = Random(n * k, 3);
        var packed = PackedMatrix.FromInputRows(Random(k * m, 4), k, m);
        foreach (var width in Widths)
        {
            var (dense, strided) = SimdWidths.With(width, () =>
            {
                var d = Enumerable.Repeat(-99f, n * m + 20).ToArray();
                Gemm.Multiply(x, n, k, packed, d.AsSpan(0, n * m), m);
                var s = new float[n * (m + 1)];
                Gemm.Multiply(x, n, k, packed, s, m + 1);
                return (d, s);
            });
            for (int i = 0; i < n; i++)
                Assert.Equal(strided.AsSpan(i * (m + 1), m).ToArray(), dense.AsSpan(i * m, m).ToArray());
            Assert.All(dense[(n * m)..], v => Assert.Equal(-99f, v));
        }
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(100f)]
    [InlineData(10_000f)]
    public void Vector_sine_and_cosine_are_within_2_5e_7_and_the_same_on_every_width(float range)
    {
        var x = Random(4099, 5, range);
        x[0] = 0; x[1] = MathF.PI / 4; x[2] = -MathF.PI / 2; x[3] = 3 * MathF.PI / 4; x[4] = -MathF.PI;
        (float[] Sin, float[] Cos) Run(KernelWidth width) => SimdWidths.With(width, () =>
        {
            var (s, c) = (new float[x.Length], new float[x.Length]);
            FastTrig.SinCos(x, s, c);
            return (s, c);
        });
        var first = Run(Widths[0]);
        foreach (var width in Widths[1..])
        {
            var other = Run(width);
            Assert.Equal(first.Sin, other.Sin);
            Assert.Equal(first.Cos, other.Cos);
        }
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(first.Sin[i] - Math.Sin(x[i])) <= 2.5e-7, $"sin({x[i]}) = {first.Sin[i]}, exact {Math.Sin(x[i])}");
            Assert.True(Math.Abs(first.Cos[i] - Math.Cos(x[i])) <= 2.5e-7, $"cos({x[i]}) = {first.Cos[i]}, exact {Math.Cos(x[i])}");
        }
    }

    /// <summary>The saturating ReLU of the activation circuits and the forward pass: Math.Clamp's results, −0
    /// and NaN included, on every width.</summary>
    [Fact]
    public void Relu_gives_math_clamp_bits_on_every_width()
    {
        var y = Random(1000, 8, 3f);
        var add = Random(1000, 9, 3f);
        y[3] = -0f; add[3] = 0f; y[20] = float.NaN; y[41] = 0f; add[41] = -0f;
        var then = Random(1000, 10, 1f);
        var expected = y.Zip(add, (a, b) => Math.Clamp(a + b, 0f, 2f)).ToArray();
        var expectedTwice = y.Select((a, i) => Math.Clamp(a + add[i] + then[i], 0f, 2f)).ToArray();
        foreach (var width in Widths)
        {
            var (once, twice) = SimdWidths.With(width, () =>
            {
                var r = y.ToArray();
                Relu.AddClamp(r, add, 2f);
                var r2 = y.ToArray();
                Relu.AddClamp(r2, add, then, 2f);
                return (r, r2);
            });
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), once.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(expectedTwice.Select(BitConverter.SingleToInt32Bits), twice.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>Rows of a held controller's label table added row by row: whole-vector rows that reach into the
    /// next row must leave it as it was, and the table's last row (no room for a whole vector) must read only itself.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(14)]
    [InlineData(16)]
    [InlineData(23)]
    public void Relu_rows_give_math_clamp_bits_row_by_row_on_every_width(int rowWidth)
    {
        const int n = 37, tableRows = 3;
        var y = Random(n * rowWidth, 11, 3f);
        var table = Random(tableRows * rowWidth, 12, 3f);
        y[2] = float.NaN; table[0] = -0f;
        var rows = Enumerable.Range(0, n).Select(i => (i * 5 + i / 3) % tableRows).ToArray();
        rows[^1] = tableRows - 1;
        var expected = y.Select((v, k) => Math.Clamp(v + table[rows[k / rowWidth] * rowWidth + k % rowWidth], 0f, 2f)).ToArray();
        foreach (var width in Widths)
        {
            var result = SimdWidths.With(width, () =>
            {
                var r = y.ToArray();
                Relu.AddClampRows(r, rowWidth, table, rows, 2f);
                return r;
            });
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), result.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>The time embedding's one-vector-per-sample path (few frequencies) and the packed path
    /// (many) give FastTrig's bits in the [sin | cos] layout, the last row included.</summary>
    [Theory]
    [InlineData(14)]
    [InlineData(16)]
    [InlineData(40)]
    public void Time_embedding_gives_the_same_bits_on_every_width(int hidden)
    {
        var net = TestNetworks.Inference(h: hidden);
        int k = hidden / 2, n = 37;
        var t = Random(n, 13);
        var phase = new float[n * k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) phase[i * k + j] = t[i] * net.AngularFrequencies[j];
        var sin = new float[n * k];
        var cos = new float[n * k];
        SimdWidths.With(KernelWidth.Scalar, () => { FastTrig.SinCos(phase, sin, cos); return 0; });
        var expected = new float[n * hidden];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) (expected[i * hidden + j], expected[i * hidden + k + j]) = (sin[i * k + j], cos[i * k + j]);
        foreach (var width in Widths)
        {
            var embedding = SimdWidths.With(width, () =>
            {
                var e = new float[n * hidden];
                net.TimeEmbedding(t, e);
                return e;
            });
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), embedding.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>A tile's row inputs gathered as whole vectors (spilling into room past the rows) equal the
    /// row-by-row copy: every feature slice, with and without the bias row, with and without room.</summary>
    [Theory]
    [InlineData(2, 0, 3)]    // the paper's first layer: 2 inputs + bias
    [InlineData(14, 0, 15)]  // its hidden layers
    [InlineData(40, 16, 16)] // a middle row block, no bias
    [InlineData(40, 32, 9)]  // the last row block: 8 features + bias
    [InlineData(20, 0, 21)]
    public void Gathered_tile_inputs_equal_the_row_by_row_copy_on_every_width(int inWidth, int rowStart, int rowCount)
    {
        const int n = 29;
        var plan = new MemristorGrid.Engine.Partitioning.TilePlan(0, 0, 0, 0, rowStart, rowCount, 0, 4, 0, 0,
            rowStart + rowCount > inWidth ? rowCount - 1 : -1, new bool[rowCount], new int[rowCount], false);
        var layerInput = Random(n * inWidth, 14);
        int features = Math.Min(rowCount, inWidth - rowStart);
        var expected = new float[n * rowCount];
        for (int i = 0; i < n; i++)
            for (int r = 0; r < rowCount; r++) expected[i * rowCount + r] = r < features ? layerInput[i * inWidth + rowStart + r] : 1f;
        foreach (var width in Widths)
            foreach (int room in new[] { 0, 16 })
            {
                var gathered = SimdWidths.With(width, () =>
                {
                    var into = new float[n * rowCount + room];
                    plan.GatherInputs(layerInput, inWidth, into, n);
                    return into[..(n * rowCount)];
                });
                Assert.Equal(expected, gathered);
            }
    }

    /// <summary>Cell power sums: one order on every width (the same bits), and the double-precision sum to float accuracy.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(65)]
    [InlineData(257)]
    public void Weighted_squares_give_the_same_bits_on_every_width(int rows)
    {
        const int n = 37; // two groups of sixteen reduced together, and five one by one
        var x = Random(n * rows, 15, 2f);
        var g = Random(rows, 16, 1f).Select(MathF.Abs).ToArray();
        var bits = Widths.Select(width => SimdWidths.With(width, () =>
        {
            var sums = new float[n];
            WeightedSquares.Sum(x, n, rows, g, sums);
            return sums;
        })).ToArray();
        foreach (var other in bits[1..]) Assert.Equal(bits[0].Select(BitConverter.SingleToInt32Bits), other.Select(BitConverter.SingleToInt32Bits));
        for (int i = 0; i < n; i++)
        {
            double exact = 0;
            for (int r = 0; r < rows; r++) exact += (double)x[i * rows + r] * x[i * rows + r] * g[r];
            Assert.Equal(exact, bits[0][i], exact * 1e-5 + 1e-30);
        }
    }

    [Fact]
    public void Vectorised_quantiser_and_rails_give_the_scalar_bits_and_counts()
    {
        var values = Random(1000, 8, 3f);
        values[3] = float.NaN;
        values[17] = -0f;
        values[40] = float.PositiveInfinity;
        var q = new Quantizer(8, 2f);
        var vector = values.ToArray();
        int clipped = q.Apply(vector);
        int scalarClipped = 0;
        var scalar = values.Select(v => { float r = q.Apply(v, out bool c); if (c) scalarClipped++; return r; }).ToArray();
        Assert.Equal(scalar, vector);
        Assert.Equal(scalarClipped, clipped);
        Assert.True(clipped > 100);

        var railed = values.ToArray();
        int held = Rails.Clamp(railed, 1.5f);
        Assert.Equal(values.Count(v => v > 1.5f || v < -1.5f), held);
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(values[i] > 1.5f ? 1.5f : values[i] < -1.5f ? -1.5f : values[i], railed[i]);
    }
}

/// <summary>The vectorised normal draws of read noise against the double-precision stream they come from.</summary>
public class GaussianBlockTests
{
    [Theory]
    [InlineData(0UL, 1000)]
    [InlineData(3UL, 61)]
    [InlineData(0xFFFF_FFF8UL * 4 + 2, 300)] // the block counter crosses 2^32: the carry into the counter's second word
    [InlineData(0xFFFF_FFF0UL * 4, 200)] // the carry between the two groups of one interleaved pair
    [InlineData(123_456_789UL, 1)]
    public void Draws_are_the_double_precision_stream_to_single_precision_and_the_same_on_both_paths(ulong start, int count)
    {
        var rng = Streams.Rng(42, StreamPurpose.ReadNoise, 7, 3, 1);
        var wide = new float[count];
        var narrow = new float[count];
        GaussianBlocks.Fill(rng, wide, start);
        SimdWidths.With(KernelWidth.Vector256, () => { GaussianBlocks.Fill(rng, narrow, start); return 0; });
        Assert.Equal(wide, narrow);
        for (int i = 0; i < count; i++)
        {
            double exact = rng.Gaussian(GaussianBlocks.SourceIndex(start + (ulong)i));
            Assert.True(Math.Abs(wide[i] - exact) <= 4e-4 + 2e-6 * Math.Abs(exact), $"draw {start + (ulong)i}: {wide[i]} against {exact}");
        }
    }

    [Fact]
    public void Draws_have_the_standard_normal_moments()
    {
        var z = new float[200_000];
        GaussianBlocks.Fill(Streams.Rng(9, StreamPurpose.ReadNoise), z, 0);
        double mean = z.Average(v => (double)v), variance = z.Average(v => (v - mean) * (v - mean));
        double kurtosis = z.Average(v => Math.Pow(v - mean, 4)) / (variance * variance);
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.985, 1.015);
        Assert.InRange(kurtosis, 2.9, 3.1);
    }
}
