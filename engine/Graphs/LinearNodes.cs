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
    public void Im2Col(ReadOnlySpan<float> x, int channels, Span<float> cols) => Im2Col(x, channels, cols, 0, _ho * _wo, 0, channels * _kh * _kw, channels * _kh * _kw);

    /// <summary>Features [<paramref name="firstFeature"/>, + <paramref name="features"/>) of the output pixels [<paramref name="firstPixel"/>,
    /// + <paramref name="pixels"/>), each pixel's at cols[(pixel − firstPixel)·<paramref name="stride"/> ..]: one tile's rows of a chunk of
    /// vectors, written where the tile reads them (a separate unrolled copy, gathered per tile, cost more than the products).</summary>
    public void Im2Col(ReadOnlySpan<float> x, int channels, Span<float> cols, int firstPixel, int pixels, int firstFeature, int features, int stride)
    {
        int k = channels * _kh * _kw, taps = _kh * _kw, lastFeature = firstFeature + features;
        if (x.Length < channels * _h * _w || firstPixel < 0 || firstPixel + pixels > _ho * _wo || firstFeature < 0 || lastFeature > k || features > stride
            || pixels > 0 && cols.Length < (pixels - 1) * stride + features)
            throw new ArgumentException($"{Name}: im2col of pixels {firstPixel}+{pixels}, features {firstFeature}+{features} of {x.Length} values into {cols.Length}");
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
        // Pixel by pixel, each vector written once from start to end (a pass per (c, i) over a chunk of vectors, 1 KB apart, reloaded
        // every line from L2 once per tap row); a 3-wide tap row fully inside the image, the common case, is three moves.
        bool three = _kw == 3 && _dw == 1;
        int end = firstPixel + pixels, cFrom = firstFeature / taps, cTo = (lastFeature + taps - 1) / taps;
        for (int pixel = firstPixel; pixel < end; pixel++)
        {
            int oy = pixel / _wo, ox = pixel % _wo, x0 = ox * _sw - _pl, j0 = first[ox], j1 = last[ox];
            int rowStart = (pixel - firstPixel) * stride - firstFeature; // + e: where feature e goes (only for e ≥ firstFeature)
            for (int c = cFrom; c < cTo; c++)
                for (int i = 0; i < _kh; i++)
                {
                    int iy = oy * _sh - _pt + i * _dh, e = (c * _kh + i) * _kw;
                    if (e + _kw <= firstFeature || e >= lastFeature) continue;
                    bool inside = iy >= 0 && iy < _h;
                    int lineStart = (c * _h + Math.Clamp(iy, 0, _h - 1)) * _w; // + x0 + j·dw: only read for taps inside the image
                    if (inside && three && j0 == 0 && j1 == 3 && e >= firstFeature && e + 3 <= lastFeature)
                    {
                        ref float tap = ref Unsafe.Add(ref dst, rowStart + e);
                        ref float line = ref Unsafe.Add(ref src, lineStart + x0);
                        tap = line;
                        Unsafe.Add(ref tap, 1) = Unsafe.Add(ref line, 1);
                        Unsafe.Add(ref tap, 2) = Unsafe.Add(ref line, 2);
                        continue;
                    }
                    for (int j = Math.Max(0, firstFeature - e), jEnd = Math.Min(_kw, lastFeature - e); j < jEnd; j++)
                        Unsafe.Add(ref dst, rowStart + e + j) = inside && j >= j0 && j < j1 ? Unsafe.Add(ref src, lineStart + x0 + j * _dw) : 0f;
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
