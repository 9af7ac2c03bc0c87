using System.Runtime.InteropServices;
using Onnx;

namespace MemristorGrid.Engine.Graphs.Import;

/// <summary>
/// Nodes whose inputs are all known at import: constants, and the shape arithmetic exporters write
/// (Shape → Gather → Unsqueeze → Concat → Reshape), where the batch size stays a symbol.
/// </summary>
internal static class ConstantFolding
{
    public static ConstSym Tensor(TensorProto t, ImportContext ctx)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw ctx.Fail($"initializer '{t.Name}' stores its data in an external file; save the model with embedded weights");
        long count = t.Dims.Aggregate(1L, (a, b) => a * b);
        if (t.Dims.Any(d => d < 0) || count > 1 << 26) throw ctx.Fail($"tensor '{t.Name}' has an invalid shape [{string.Join(",", t.Dims)}]");
        double[] values = t.DataType switch
        {
            1 => (t.RawData.IsEmpty ? t.FloatData.ToArray() : MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray()).Select(v => (double)v).ToArray(),
            11 => t.RawData.IsEmpty ? t.DoubleData.ToArray() : MemoryMarshal.Cast<byte, double>(t.RawData.Span).ToArray(),
            7 => (t.RawData.IsEmpty ? t.Int64Data.ToArray() : MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray()).Select(v => (double)v).ToArray(),
            6 => (t.RawData.IsEmpty ? t.Int32Data.ToArray() : MemoryMarshal.Cast<byte, int>(t.RawData.Span).ToArray()).Select(v => (double)v).ToArray(),
            9 => (t.RawData.IsEmpty ? t.Int32Data.Select(v => (byte)v).ToArray() : t.RawData.ToByteArray()).Select(v => (double)v).ToArray(),
            _ => throw ctx.Fail($"tensor '{t.Name}' has ONNX data type {t.DataType}; float, double, int32, int64 and bool are supported"),
        };
        if (values.Length != count) throw ctx.Fail($"tensor '{t.Name}' holds {values.Length} values, expected {count} for shape [{string.Join(",", t.Dims)}]");
        if (values.Any(v => !double.IsFinite(v))) throw ctx.Fail($"tensor '{t.Name}' holds a value that is not a finite number");
        return new ConstSym(values, t.Dims.ToArray(), t.DataType is 6 or 7 or 9);
    }

    /// <summary>The folded value of the node, or null when an input is computed at run time.</summary>
    public static Sym? TryFold(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        if (node.OpType == "Constant") return Constant(node, ctx);
        if (node.OpType == "Shape" && inputs[0] is RuntimeSym r)
        {
            var dims = new[] { new SymInt(1, 0) }.Concat(r.Value.Shape.Select(d => new SymInt(0, d))).ToArray();
            long start = ImportContext.Int(node, "start", 0), end = ImportContext.Int(node, "end", dims.Length);
            return new ShapeSym(Slice1D(dims, start, end), false);
        }
        if (inputs.Any(i => i is RuntimeSym or LabelSym)) return null;
        if (inputs.Any(i => i is ShapeSym)) return ShapeArithmetic(node, inputs, ctx);
        var c = inputs.Select(i => i as ConstSym).ToArray();
        switch (node.OpType)
        {
            case "Identity" or "Cast":
                return node.OpType == "Cast" ? c[0]! with { IsInt = ImportContext.Int(node, "to", 1) is 6 or 7 or 9 } : c[0];
            case "Shape":
                return new ConstSym(c[0]!.Dims.Select(d => (double)d).ToArray(), [c[0]!.Dims.Length], true);
            case "Unsqueeze" or "Squeeze" or "Reshape" or "Flatten":
                return c[0]! with { Dims = Layout.ReshapedDims(node, c[0]!.Dims, inputs, ctx) };
            case "Add" or "Sub" or "Mul" or "Div" or "Pow":
                {
                    var (a, b) = (c[0]!, c[1]!);
                    var shape = BinaryNode.Broadcast(a.Shape, b.Shape) ?? throw ctx.Fail($"node '{ImportContext.NodeName(node)}' combines constants of shapes [{string.Join(",", a.Dims)}] and [{string.Join(",", b.Dims)}]");
                    int[] ma = BinaryNode.BroadcastMap(a.Shape, shape), mb = BinaryNode.BroadcastMap(b.Shape, shape);
                    bool isInt = a.IsInt && b.IsInt;
                    Func<double, double, double> f = node.OpType switch
                    {
                        "Add" => (x, y) => x + y, "Sub" => (x, y) => x - y, "Mul" => (x, y) => x * y,
                        "Div" => (x, y) => isInt ? Math.Truncate(x / y) : x / y, _ => Math.Pow,
                    };
                    return new ConstSym(ma.Select((ia, e) => f(a.Values[ia], b.Values[mb[e]])).ToArray(), shape.Select(d => (long)d).ToArray(), isInt);
                }
            case "Concat" when c.All(x => x is not null && x.Dims.Length == 1):
                return new ConstSym(c.SelectMany(x => x!.Values).ToArray(), [c.Sum(x => x!.Values.Length)], c.All(x => x!.IsInt));
            case "Gather" when c[0]!.Dims.Length == 1:
                return new ConstSym(c[1]!.Values.Select(i => c[0]!.Values[(int)(i < 0 ? i + c[0]!.Values.Length : i)]).ToArray(), c[1]!.Dims, c[0]!.IsInt);
        }
        if (UnaryNode.Function(node.OpType, tanhGelu: ImportContext.Text(node, "approximate", "none") == "tanh") is { } unary && c.Length == 1)
            return c[0]! with { Values = c[0]!.Values.Select(v => (double)unary((float)v)).ToArray() };
        return null;
    }

    private static ConstSym Constant(NodeProto node, ImportContext ctx)
    {
        var a = node.Attribute.FirstOrDefault() ?? throw ctx.Fail($"Constant node '{ImportContext.NodeName(node)}' has no value");
        return a.Name switch
        {
            "value" => Tensor(a.T, ctx),
            "value_float" => new ConstSym([a.F], [], false),
            "value_floats" => new ConstSym(a.Floats.Select(v => (double)v).ToArray(), [a.Floats.Count], false),
            "value_int" => new ConstSym([a.I], [], true),
            "value_ints" => new ConstSym(a.Ints.Select(v => (double)v).ToArray(), [a.Ints.Count], true),
            _ => throw ctx.Fail($"Constant node '{ImportContext.NodeName(node)}' uses '{a.Name}', which is not supported"),
        };
    }

    private static SymInt[] Slice1D(SymInt[] values, long start, long end)
    {
        long n = values.Length;
        start = Math.Clamp(start < 0 ? start + n : start, 0, n);
        end = Math.Clamp(end < 0 ? end + n : end, 0, n);
        return values[(int)start..(int)Math.Max(start, end)];
    }

    private static SymInt[] AsSym(Sym? s) => s switch
    {
        ShapeSym sh => sh.Values,
        ConstSym c => c.Values.Select(v => new SymInt(0, (long)v)).ToArray(),
        _ => [],
    };

    private static Sym ShapeArithmetic(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        var a = AsSym(inputs[0]);
        bool scalar = inputs[0] is ShapeSym { Scalar: true } || inputs[0] is ConstSym { Dims.Length: 0 };
        switch (node.OpType)
        {
            case "Identity" or "Cast": return inputs[0]!;
            case "Gather":
                {
                    var idx = ctx.ConstInts(inputs[1], node, "indices");
                    bool one = inputs[1] is ConstSym { Dims.Length: 0 };
                    return new ShapeSym(idx.Select(i => a[(int)(i < 0 ? i + a.Length : i)]).ToArray(), one);
                }
            case "Unsqueeze": return new ShapeSym(a, false);
            case "Squeeze": return new ShapeSym(a, a.Length == 1);
            case "Concat": return new ShapeSym(inputs.SelectMany(AsSym).ToArray(), false);
            case "Slice":
                {
                    long start = ctx.ConstInts(inputs[1], node, "starts")[0], end = ctx.ConstInts(inputs[2], node, "ends")[0];
                    return new ShapeSym(Slice1D(a, start, Math.Min(end, a.Length)), false);
                }
            case "Add" or "Sub" or "Mul" or "Div":
                {
                    var b = AsSym(inputs[1]);
                    int n = Math.Max(a.Length, b.Length);
                    var result = new SymInt[n];
                    for (int i = 0; i < n; i++)
                    {
                        var (x, y) = (a[a.Length == 1 ? 0 : i], b[b.Length == 1 ? 0 : i]);
                        result[i] = node.OpType switch
                        {
                            "Add" => new(x.PerBatch + y.PerBatch, x.Constant + y.Constant),
                            "Sub" => new(x.PerBatch - y.PerBatch, x.Constant - y.Constant),
                            "Mul" when x.IsConstant || y.IsConstant => new(x.PerBatch * y.Constant + y.PerBatch * x.Constant, x.Constant * y.Constant),
                            "Div" when y.IsConstant && y.Constant != 0 && x.PerBatch % y.Constant == 0 => new(x.PerBatch / y.Constant, x.Constant / y.Constant),
                            _ => throw ctx.Fail($"node '{ImportContext.NodeName(node)}' ({node.OpType}) computes a shape that is not linear in the batch size"),
                        };
                    }
                    return new ShapeSym(result, scalar && inputs[1] is ShapeSym { Scalar: true } or ConstSym { Dims.Length: 0 });
                }
        }
        throw ctx.Fail($"node '{ImportContext.NodeName(node)}' ({node.OpType}) computes a shape in a way that is not supported; export with constant folding (torch.onnx.export's default)");
    }
}
