using System.Numerics.Tensors;
namespace MemristorGrid.Engine.Graphs;

/// <summary>
/// Normalisation over groups of channels of [N, C, spatial…]: InstanceNormalization (one channel per
/// group) and GroupNormalization. Scale and bias are per channel, or per group (opset 18's
/// GroupNormalization). Needs the statistics of the whole signal, so it runs on the digital unit.
/// </summary>
public sealed class NormalizationNode(string name, string opType, int input, int output, int channels, int spatial, int groups,
    float[] scale, float[] bias, float epsilon) : GraphNode(name, opType, [input], [output])
{
    public override void Run(GraphRun run)
    {
        ReadOnlySpan<float> x = run.Buffer(Inputs[0]);
        var y = run.Buffer(Outputs[0]);
        int perGroup = channels / groups * spatial, channelsPerGroup = channels / groups;
        bool perChannel = scale.Length == channels;
        for (int n = 0; n < run.Batch; n++)
            for (int g = 0; g < groups; g++)
            {
                int start = (n * channels * spatial) + g * perGroup;
                var xs = x.Slice(start, perGroup);
                var ys = y.Slice(start, perGroup);
                float mean = TensorPrimitives.Sum(xs) / perGroup;
                TensorPrimitives.Subtract(xs, mean, ys); // the deviations, then scaled in place
                float inv = (float)(1 / Math.Sqrt(TensorPrimitives.SumOfSquares(ys) / perGroup + epsilon));
                if (!perChannel) ScaleAndShift(ys, inv * scale[g], bias[g]);
                else
                    for (int k = 0; k < channelsPerGroup; k++)
                    {
                        int c = g * channelsPerGroup + k;
                        var channel = ys.Slice(k * spatial, spatial);
                        ScaleAndShift(channel, inv * scale[c], bias[c]);
                    }
            }
    }

    private static void ScaleAndShift(Span<float> values, float scale, float shift)
    {
        TensorPrimitives.Multiply(values, scale, values);
        TensorPrimitives.Add(values, shift, values);
    }
}

/// <summary>Softmax along one axis of the per-sample tensor (<paramref name="length"/> values, <paramref name="stride"/> apart).</summary>
public sealed class SoftmaxNode(string name, int input, int output, int outer, int length, int inner) : GraphNode(name, "Softmax", [input], [output])
{
    public override void Run(GraphRun run)
    {
        ReadOnlySpan<float> x = run.Buffer(Inputs[0]);
        var y = run.Buffer(Outputs[0]);
        for (int o = 0; o < run.Batch * outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * length * inner + i;
                float max = float.NegativeInfinity;
                for (int j = 0; j < length; j++) max = MathF.Max(max, x[start + j * inner]);
                float sum = 0;
                for (int j = 0; j < length; j++) sum += y[start + j * inner] = MathF.Exp(x[start + j * inner] - max);
                for (int j = 0; j < length; j++) y[start + j * inner] /= sum;
            }
    }
}

/// <summary>OneHot of the label input: row c of [depth] is "on" at c, and a label outside 0..depth−1 (the null
/// label) is all "off", as ONNX defines it.</summary>
public sealed class OneHotNode(string name, int output, int depth, float off, float on) : GraphNode(name, "OneHot", [], [output])
{
    public override void Run(GraphRun run)
    {
        var y = run.Buffer(Outputs[0]);
        for (int n = 0; n < run.Batch; n++)
            for (int c = 0; c < depth; c++) y[n * depth + c] = run.Labels[n] == c ? on : off;
    }
}

/// <summary>A row of a constant table per label (nn.Embedding).</summary>
public sealed class LabelGatherNode(string name, int output, float[] table, int rows, int width) : GraphNode(name, "Gather", [], [output])
{
    public override void Run(GraphRun run)
    {
        var y = run.Buffer(Outputs[0]);
        for (int n = 0; n < run.Batch; n++)
        {
            long label = run.Labels[n];
            if ((ulong)label >= (ulong)rows) throw new ArgumentException($"label {label} is outside the table's {rows} rows");
            table.AsSpan((int)label * width, width).CopyTo(y.Slice(n * width, width));
        }
    }
}
