using System.Numerics.Tensors;
using MemristorGrid.Engine.Networks;

namespace MemristorGrid.Engine.Graphs;

/// <summary>An input of an elementwise node: a runtime value (batch-major), or a constant (no batch axis).</summary>
public sealed record Operand(int Value, float[]? Constant, int[] Shape)
{
    public bool IsConstant => Constant is not null;
    public static Operand Of(GraphValue v) => new(v.Id, null, v.Shape);
    public static Operand Const(float[] values, int[] shape) => new(-1, values, shape);
}

/// <summary>
/// f(a, b) with NumPy broadcasting over the per-sample shapes (the batch axis is shared; a constant has
/// none). The offsets of each operand per output element are computed once, at import.
/// </summary>
public sealed class BinaryNode : GraphNode
{
    private readonly Operand _a, _b;
    private readonly int[] _mapA, _mapB;
    private readonly Func<float, float, float> _f;
    private readonly int _sizeA, _sizeB;
    private readonly ElementRuns _runs;

    public BinaryNode(string name, string opType, Operand a, Operand b, int output, int[] outShape)
        : base(name, opType, new[] { a, b }.Where(o => !o.IsConstant).Select(o => o.Value).ToArray(), [output])
    {
        (_a, _b) = (a, b);
        _mapA = BroadcastMap(a.Shape, outShape);
        _mapB = BroadcastMap(b.Shape, outShape);
        _sizeA = a.Shape.Aggregate(1, (x, y) => x * y);
        _sizeB = b.Shape.Aggregate(1, (x, y) => x * y);
        _runs = new ElementRuns(_mapA, _mapB);
        _f = opType switch
        {
            "Add" => (x, y) => x + y,
            "Sub" => (x, y) => x - y,
            "Mul" => (x, y) => x * y,
            "Div" => (x, y) => x / y,
            "Pow" => (x, y) => MathF.Pow(x, y),
            _ => throw new ArgumentException($"not a binary elementwise op: {opType}"),
        };
    }

    /// <summary>The per-sample shape two shapes broadcast to, or null when they do not.</summary>
    public static int[]? Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)], db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1) return null;
            result[i] = Math.Max(da, db);
        }
        return result;
    }

    /// <summary>For every element of <paramref name="outShape"/>, the offset of the element of <paramref name="shape"/> it reads.</summary>
    internal static int[] BroadcastMap(int[] shape, int[] outShape)
    {
        int rank = outShape.Length, size = outShape.Aggregate(1, (x, y) => x * y);
        var strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int j = i - (rank - shape.Length);
            int dim = j >= 0 ? shape[j] : 1;
            strides[i] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        var map = new int[size];
        var index = new int[rank];
        for (int e = 0; e < size; e++)
        {
            int offset = 0;
            for (int i = 0; i < rank; i++) offset += index[i] * strides[i];
            map[e] = offset;
            for (int i = rank - 1; i >= 0 && ++index[i] == outShape[i]; i--) index[i] = 0;
        }
        return map;
    }

    public override void Run(GraphRun run)
    {
        var output = run.Buffer(Outputs[0]);
        int size = _mapA.Length;
        float[] a = _a.Constant ?? run.Array(_a.Value), b = _b.Constant ?? run.Array(_b.Value);
        for (int n = 0; n < run.Batch; n++)
        {
            int baseA = _a.IsConstant ? 0 : n * _sizeA, baseB = _b.IsConstant ? 0 : n * _sizeB;
            var row = output.Slice(n * size, size);
            if (_runs.Worthwhile && OpType != "Pow")
                foreach (var r in _runs.Runs)
                    Apply(r.Steps[0] ? a.AsSpan(baseA + r.First[0], r.Length) : default, a[baseA + r.First[0]],
                        r.Steps[1] ? b.AsSpan(baseB + r.First[1], r.Length) : default, b[baseB + r.First[1]], row.Slice(r.Start, r.Length));
            else
                for (int i = 0; i < row.Length; i++) row[i] = _f(a[baseA + _mapA[i]], b[baseB + _mapB[i]]);
        }
    }

    /// <summary>One run: each operand a span (it steps) or a scalar (it holds; its span is empty).</summary>
    private void Apply(ReadOnlySpan<float> xs, float x, ReadOnlySpan<float> ys, float y, Span<float> into)
    {
        bool spanX = !xs.IsEmpty, spanY = !ys.IsEmpty;
        switch (OpType)
        {
            case "Add" when spanX && spanY: TensorPrimitives.Add(xs, ys, into); break;
            case "Add" when spanX: TensorPrimitives.Add(xs, y, into); break;
            case "Add" when spanY: TensorPrimitives.Add(ys, x, into); break;
            case "Sub" when spanX && spanY: TensorPrimitives.Subtract(xs, ys, into); break;
            case "Sub" when spanX: TensorPrimitives.Subtract(xs, y, into); break;
            case "Sub" when spanY: TensorPrimitives.Subtract(x, ys, into); break;
            case "Mul" when spanX && spanY: TensorPrimitives.Multiply(xs, ys, into); break;
            case "Mul" when spanX: TensorPrimitives.Multiply(xs, y, into); break;
            case "Mul" when spanY: TensorPrimitives.Multiply(ys, x, into); break;
            case "Div" when spanX && spanY: TensorPrimitives.Divide(xs, ys, into); break;
            case "Div" when spanX: TensorPrimitives.Divide(xs, y, into); break;
            case "Div" when spanY: TensorPrimitives.Divide(x, ys, into); break;
            default: into.Fill(_f(x, y)); break;
        }
    }
}

/// <summary>f(x) elementwise: activations, the controller's Exp/Sqrt/Sin/Cos, Clip, and copies (Identity, Cast).</summary>
public sealed class UnaryNode(string name, string opType, int input, int output, Func<float, float> f) : GraphNode(name, opType, [input], [output])
{
    private delegate void SpanFunction(ReadOnlySpan<float> x, Span<float> y);

    private static void PerSample(SpanFunction f, ReadOnlySpan<float> x, Span<float> y, int batch, int size)
    {
        for (int n = 0; n < batch; n++) f(x.Slice(n * size, size), y.Slice(n * size, size));
    }

    public static Func<float, float>? Function(string opType, float min = float.NegativeInfinity, float max = float.PositiveInfinity, bool tanhGelu = false) => opType switch
    {
        "Identity" or "Cast" => x => x,
        "Neg" => x => -x,
        "Abs" => MathF.Abs,
        "Exp" => MathF.Exp,
        "Log" => MathF.Log,
        "Sqrt" => MathF.Sqrt,
        "Reciprocal" => x => 1 / x,
        "Sin" => MathF.Sin,
        "Cos" => MathF.Cos,
        "Erf" => x => (float)SpecialFunctions.Erf(x),
        "Sigmoid" => x => 1 / (1 + MathF.Exp(-x)),
        "Tanh" => MathF.Tanh,
        "Relu" => x => MathF.Max(x, 0),
        "Softplus" => x => x > 30 ? x : MathF.Log(1 + MathF.Exp(x)),
        "Gelu" when tanhGelu => x => 0.5f * x * (1 + MathF.Tanh(MathF.Sqrt(2 / MathF.PI) * (x + 0.044715f * x * x * x))),
        "Gelu" => x => (float)SpecialFunctions.Gelu(x),
        "Clip" => x => Math.Clamp(x, min, max),
        _ => null,
    };

    public override void Run(GraphRun run)
    {
        ReadOnlySpan<float> x = run.Buffer(Inputs[0]);
        var y = run.Buffer(Outputs[0]);
        // The activations on the signal path, vectorised (a delegate call per value was a fifth of a U-Net's analog pass) — sample by
        // sample: a vectorised function may round a value differently in the vector body and in the tail, and where a value falls must
        // not depend on how many samples share the buffer (the lane size).
        int size = y.Length / Math.Max(run.Batch, 1);
        switch (OpType)
        {
            case "Sigmoid": PerSample(TensorPrimitives.Sigmoid, x, y, run.Batch, size); break;
            case "Tanh": PerSample(TensorPrimitives.Tanh, x, y, run.Batch, size); break;
            case "Exp": PerSample(TensorPrimitives.Exp, x, y, run.Batch, size); break;
            case "Relu": TensorPrimitives.Max(x, 0f, y); break;
            case "Identity" or "Cast": x.CopyTo(y); break;
            default:
                for (int i = 0; i < y.Length; i++) y[i] = f(x[i]);
                break;
        }
    }
}
