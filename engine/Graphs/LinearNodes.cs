using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace MemristorGrid.Engine.Graphs;

/// <summary>
/// A product with trained weights, written as the matrix a crossbar holds: <see cref="Weights"/> is
/// [Outputs × Inputs] row-major (a conductance column per output), <see cref="Bias"/> [Outputs].
/// </summary>
public abstract class WeightedNode(string name, string opType, int[] inputs, int[] outputs, float[] weights, float[] bias, int rows, int cols)
    : GraphNode(name, opType, inputs, outputs)
{
    public float[] Weights { get; } = weights;
    public float[] Bias { get; } = bias;
    /// <summary>The matrix's inputs (a Conv's Cin·kh·kw).</summary>
    public int MatrixInputs { get; } = cols;
    /// <summary>The matrix's outputs (a Conv's Cout).</summary>
    public int MatrixOutputs { get; } = rows;
    /// <summary>How many input vectors one sample sends through the matrix (a Conv's output pixels; 1 for a dense layer).</summary>
    public abstract int VectorsPerSample { get; }
    public override long OperationsPerSample(ScoreGraph graph) => (long)VectorsPerSample * MatrixInputs * MatrixOutputs;
}

/// <summary>2-D convolution (stride, padding, dilation, groups) as im2col over the output pixels times the
/// unrolled [Cout × Cin/groups·kh·kw] matrix of each group.</summary>
public sealed class ConvNode : WeightedNode
{
    private readonly int _cin, _h, _w, _cout, _kh, _kw, _sh, _sw, _pt, _pl, _dh, _dw, _groups, _ho, _wo;

    public ConvNode(string name, int input, int output, float[] weights, float[] bias, int[] inShape, int cout, int kh, int kw,
        int[] strides, int[] pads, int[] dilations, int groups, int[] outShape)
        : base(name, "Conv", [input], [output], weights, bias, cout, inShape[0] / groups * kh * kw)
    {
        (_cin, _h, _w, _cout, _kh, _kw, _groups) = (inShape[0], inShape[1], inShape[2], cout, kh, kw, groups);
        (_sh, _sw, _pt, _pl, _dh, _dw) = (strides[0], strides[1], pads[0], pads[1], dilations[0], dilations[1]);
        (_ho, _wo) = (outShape[1], outShape[2]);
    }

    public int Groups => _groups;
    public int KernelHeight => _kh;
    public int KernelWidth => _kw;
    public override int VectorsPerSample => _ho * _wo * _groups;

    public override void Run(GraphRun run)
    {
        int k = MatrixInputs, pixels = _ho * _wo, cinG = _cin / _groups, coutG = _cout / _groups;
        var cols = run.Scratch(pixels * k);
        ReadOnlySpan<float> x = run.Buffer(Inputs[0]);
        var y = run.Buffer(Outputs[0]);
        for (int n = 0; n < run.Batch; n++)
        {
            var xs = x.Slice(n * _cin * _h * _w, _cin * _h * _w);
            var ys = y.Slice(n * _cout * pixels, _cout * pixels);
            for (int g = 0; g < _groups; g++)
            {
                Im2Col(xs.Slice(g * cinG * _h * _w, cinG * _h * _w), cinG, cols);
                for (int co = 0; co < coutG; co++)
                {
                    int o = g * coutG + co;
                    ReadOnlySpan<float> w = Weights.AsSpan(o * k, k);
                    for (int p = 0; p < pixels; p++) ys[o * pixels + p] = TensorPrimitives.Dot(w, cols.Slice(p * k, k)) + Bias[o];
                }
            }
        }
    }

    /// <summary>cols[p, (c, i, j)] = x[c, oy·sh − pt + i·dh, ox·sw − pl + j·dw] (0 outside the image).</summary>
    /// <remarks>The analog pass's hottest copy (a third of a U-Net pass when written element by element with bounds checks): each
    /// kernel row's valid taps [j0, j1) depend only on ox and are found once; a row of the image outside it is zeros.</remarks>
    public void Im2Col(ReadOnlySpan<float> x, int channels, Span<float> cols) => Im2Col(x, channels, cols, 0, _ho * _wo);

    /// <summary>The rows of output pixels [<paramref name="firstPixel"/>, + <paramref name="pixels"/>) only, into cols[0 ..] (a chunk
    /// small enough to stay in cache on its way to the tiles).</summary>
    public void Im2Col(ReadOnlySpan<float> x, int channels, Span<float> cols, int firstPixel, int pixels)
    {
        int k = channels * _kh * _kw;
        if (x.Length < channels * _h * _w || cols.Length < pixels * k || firstPixel < 0 || firstPixel + pixels > _ho * _wo)
            throw new ArgumentException($"{Name}: im2col of pixels {firstPixel}+{pixels} of {x.Length} values into {cols.Length}");
        Span<int> first = _wo <= 256 ? stackalloc int[_wo] : new int[_wo], last = _wo <= 256 ? stackalloc int[_wo] : new int[_wo];
        for (int ox = 0; ox < _wo; ox++)
        {
            int x0 = ox * _sw - _pl, j0 = 0, j1 = _kw;
            while (j0 < _kw && x0 + j0 * _dw < 0) j0++;
            while (j1 > j0 && x0 + (j1 - 1) * _dw >= _w) j1--;
            (first[ox], last[ox]) = (j0, j1);
        }
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(cols);
        int end = firstPixel + pixels;
        for (int oy = firstPixel / _wo; oy * _wo < end; oy++)
        {
            int oxFrom = Math.Max(firstPixel - oy * _wo, 0), oxTo = Math.Min(end - oy * _wo, _wo);
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < _kh; i++)
                {
                    int iy = oy * _sh - _pt + i * _dh, e = (c * _kh + i) * _kw;
                    bool inside = iy >= 0 && iy < _h;
                    ref float line = ref Unsafe.Add(ref src, inside ? (c * _h + iy) * _w : 0);
                    for (int ox = oxFrom; ox < oxTo; ox++)
                    {
                        ref float row = ref Unsafe.Add(ref dst, (oy * _wo + ox - firstPixel) * k + e);
                        int x0 = ox * _sw - _pl, j0 = inside ? first[ox] : _kw, j1 = inside ? last[ox] : _kw;
                        for (int j = 0; j < j0; j++) Unsafe.Add(ref row, j) = 0f;
                        for (int j = j0; j < j1; j++) Unsafe.Add(ref row, j) = Unsafe.Add(ref line, x0 + j * _dw);
                        for (int j = Math.Max(j1, j0); j < _kw; j++) Unsafe.Add(ref row, j) = 0f;
                    }
                }
        }
    }
}

/// <summary>x · Wᵀ + b over the last axis of x (Gemm, or MatMul with a constant right operand): [N, …, K] → [N, …, M].</summary>
public sealed class DenseNode(string name, string opType, int input, int output, float[] weights, float[] bias, int inputs, int outputs, int vectors)
    : WeightedNode(name, opType, [input], [output], weights, bias, outputs, inputs)
{
    public override int VectorsPerSample => vectors;

    public override void Run(GraphRun run)
    {
        int k = MatrixInputs, m = MatrixOutputs, count = run.Batch * vectors;
        ReadOnlySpan<float> x = run.Buffer(Inputs[0]);
        var y = run.Buffer(Outputs[0]);
        for (int v = 0; v < count; v++)
        {
            var xs = x.Slice(v * k, k);
            for (int o = 0; o < m; o++) y[v * m + o] = TensorPrimitives.Dot(Weights.AsSpan(o * k, k), xs) + Bias[o];
        }
    }
}

/// <summary>The product of two signals (attention's q·kᵀ and a·v): [N, …, a, k] × [N, …, k, b]. No crossbar holds
/// either operand, so it runs on the digital unit.</summary>
public sealed class SignalProductNode(string name, int left, int right, int output, int matrices, int a, int k, int b)
    : GraphNode(name, "MatMul", [left, right], [output])
{
    public override long OperationsPerSample(ScoreGraph graph) => (long)matrices * a * k * b;

    public override void Run(GraphRun run)
    {
        ReadOnlySpan<float> l = run.Buffer(Inputs[0]), r = run.Buffer(Inputs[1]);
        var y = run.Buffer(Outputs[0]);
        for (int m = 0; m < run.Batch * matrices; m++)
            for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++)
                {
                    float sum = 0;
                    for (int t = 0; t < k; t++) sum += l[(m * a + i) * k + t] * r[(m * k + t) * b + j];
                    y[(m * a + i) * b + j] = sum;
                }
    }
}
