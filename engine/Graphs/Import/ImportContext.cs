using Onnx;

namespace MemristorGrid.Engine.Graphs.Import;

/// <summary>What an ONNX tensor is while a general score network is read.</summary>
internal abstract record Sym;

/// <summary>A constant known at import (initializers, Constant nodes and everything computed from them only).</summary>
internal sealed record ConstSym(double[] Values, long[] Dims, bool IsInt) : Sym
{
    public int[] Shape => Dims.Select(d => checked((int)d)).ToArray();
    public float[] Floats => Values.Select(v => (float)v).ToArray();
}

/// <summary>An integer of a shape computation, a·N + b for the batch size N (PyTorch's Shape → Gather → Concat → Reshape).</summary>
internal readonly record struct SymInt(long PerBatch, long Constant)
{
    public bool IsConstant => PerBatch == 0;
    public override string ToString() => PerBatch == 0 ? $"{Constant}" : Constant == 0 ? $"{PerBatch}·N" : $"{PerBatch}·N+{Constant}";
}

/// <summary>A 1-D integer tensor (or a scalar) whose elements may depend on the batch size.</summary>
internal sealed record ShapeSym(SymInt[] Values, bool Scalar) : Sym;

/// <summary>A tensor computed at run time: [N, per-sample shape…].</summary>
internal sealed record RuntimeSym(GraphValue Value) : Sym;

/// <summary>The label input [N] (int).</summary>
internal sealed record LabelSym : Sym;

/// <summary>The state of one import: symbols by ONNX name, the values and nodes built so far.</summary>
internal sealed class ImportContext(string source)
{
    public Dictionary<string, Sym> Syms { get; } = new(StringComparer.Ordinal);
    public List<GraphValue> Values { get; } = [];
    public List<GraphNode> Nodes { get; } = [];
    public string Source => source;

    public GraphValue NewValue(string name, int[] shape, bool dependsOnX)
    {
        if (shape.Any(d => d <= 0)) throw Fail($"'{name}' would have the shape [{string.Join(", ", shape)}]");
        var v = new GraphValue(Values.Count, name, shape, dependsOnX);
        if ((long)v.Size > 1 << 24) throw Fail($"'{name}' holds {v.Size} values per sample; at most {1 << 24} are supported");
        Values.Add(v);
        return v;
    }

    /// <summary>Adds a node producing one new runtime value and returns that value's symbol.</summary>
    public RuntimeSym Add(Func<int, GraphNode> make, string name, int[] shape, bool dependsOnX)
    {
        var value = NewValue(name, shape, dependsOnX);
        Nodes.Add(make(value.Id));
        return new RuntimeSym(value);
    }

    public UserInputException Fail(string message) => new($"{source}: {message}");

    public static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : $"<unnamed {node.OpType} → {string.Join(",", node.Output)}>";

    public static long Int(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;
    public static float Float(NodeProto node, string name, float fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? fallback;
    public static string Text(NodeProto node, string name, string fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.S.ToStringUtf8() ?? fallback;
    public static long[]? Ints(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray();

    /// <summary>A constant input's integers (axes, split sizes, pads given as inputs in newer opsets).</summary>
    public long[] ConstInts(Sym? s, NodeProto node, string what) => s switch
    {
        ConstSym c => c.Values.Select(v => (long)v).ToArray(),
        ShapeSym sh when sh.Values.All(v => v.IsConstant) => sh.Values.Select(v => v.Constant).ToArray(),
        _ => throw Fail($"node '{NodeName(node)}' ({node.OpType}) takes its {what} from a value computed at run time; it must be a constant"),
    };

    /// <summary>An axis of a runtime tensor's full shape [N, …] as a per-sample axis (≥ 0), refusing the batch axis.</summary>
    public int SampleAxis(long axis, int sampleRank, NodeProto node)
    {
        long full = axis < 0 ? axis + sampleRank + 1 : axis;
        if (full == 0) throw Fail($"node '{NodeName(node)}' ({node.OpType}) works along the batch axis; a score network treats samples independently");
        if (full < 0 || full > sampleRank) throw Fail($"node '{NodeName(node)}' ({node.OpType}) names axis {axis} of a rank-{sampleRank + 1} tensor");
        return (int)full - 1;
    }
}
