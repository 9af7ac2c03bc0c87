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
    public void Im2Col(ReadOnlySpan<float> x, int channels, Span<float> cols)
    {
        int k = channels * _kh * _kw;
        for (int oy = 0; oy < _ho; oy++)
            for (int ox = 0; ox < _wo; ox++)
            {
                var row = cols.Slice((oy * _wo + ox) * k, k);
                int e = 0;
                for (int c = 0; c < channels; c++)
                    for (int i = 0; i < _kh; i++)
                    {
                        int iy = oy * _sh - _pt + i * _dh;
                        for (int j = 0; j < _kw; j++, e++)
                        {
                            int ix = ox * _sw - _pl + j * _dw;
                            row[e] = iy >= 0 && iy < _h && ix >= 0 && ix < _w ? x[(c * _h + iy) * _w + ix] : 0f;
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
