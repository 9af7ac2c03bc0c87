using Onnx;

namespace MemristorGrid.Engine.Graphs.Import;

/// <summary>Reshapes, transposes, concatenation, splitting, nearest up-sampling and average pooling of runtime tensors.</summary>
internal static class Layout
{
    /// <summary>The dims of a constant after Unsqueeze, Squeeze, Reshape or Flatten.</summary>
    public static long[] ReshapedDims(NodeProto node, long[] dims, Sym?[] inputs, ImportContext ctx)
    {
        var full = dims.Select(d => new SymInt(0, d)).ToArray();
        return Reshaped(node, full, inputs, ctx).Select(d => d.Constant).ToArray();
    }

    private static SymInt[] Reshaped(NodeProto node, SymInt[] dims, Sym?[] inputs, ImportContext ctx)
    {
        long[] Axes() => inputs.Length > 1 && inputs[1] is not null ? ctx.ConstInts(inputs[1], node, "axes") : ImportContext.Ints(node, "axes") ?? [];
        switch (node.OpType)
        {
            case "Unsqueeze":
                {
                    var axes = Axes();
                    int rank = dims.Length + axes.Length;
                    var set = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
                    var result = new List<SymInt>();
                    for (int i = 0, j = 0; i < rank; i++) result.Add(set.Contains(i) ? new SymInt(0, 1) : dims[j++]);
                    return result.ToArray();
                }
            case "Squeeze":
                {
                    var axes = Axes().Select(a => a < 0 ? a + dims.Length : a).ToHashSet();
                    return dims.Where((d, i) => axes.Count == 0 ? !(d.IsConstant && d.Constant == 1) : !axes.Contains(i)).ToArray();
                }
            case "Flatten":
                {
                    long axis = ImportContext.Int(node, "axis", 1);
                    if (axis < 0) axis += dims.Length;
                    SymInt Product(IEnumerable<SymInt> ds) => ds.Aggregate(new SymInt(0, 1), (a, b) => b.IsConstant ? new(a.PerBatch * b.Constant, a.Constant * b.Constant)
                        : a.IsConstant ? new(b.PerBatch * a.Constant, 0) : throw ctx.Fail($"node '{ImportContext.NodeName(node)}' flattens the batch axis together with another"));
                    return [Product(dims.Take((int)axis)), Product(dims.Skip((int)axis))];
                }
            default: // Reshape
                {
                    var target = inputs[1] switch
                    {
                        ShapeSym s => s.Values,
                        ConstSym c => c.Values.Select(v => new SymInt(0, (long)v)).ToArray(),
                        _ => throw ctx.Fail($"Reshape node '{ImportContext.NodeName(node)}' takes its shape from a value computed at run time"),
                    };
                    bool allowZero = ImportContext.Int(node, "allowzero", 0) == 1;
                    var result = target.Select((t, i) => t.IsConstant && t.Constant == 0 && !allowZero ? dims[i] : t).ToArray();
                    int infer = Array.FindIndex(result, t => t.IsConstant && t.Constant == -1);
                    if (infer >= 0)
                    {
                        // Everything is a·N or a constant; the batch symbol must survive exactly once.
                        long total = dims.Aggregate(1L, (a, d) => a * (d.IsConstant ? d.Constant : d.PerBatch));
                        long known = result.Where((t, i) => i != infer).Aggregate(1L, (a, d) => a * (d.IsConstant ? d.Constant : d.PerBatch));
                        bool batchInDims = dims.Any(d => !d.IsConstant), batchKnown = result.Any(d => !d.IsConstant);
                        if (known == 0 || total % known != 0) throw ctx.Fail($"Reshape node '{ImportContext.NodeName(node)}' cannot infer its −1 dimension");
                        result[infer] = batchInDims && !batchKnown ? new SymInt(total / known, 0) : new SymInt(0, total / known);
                    }
                    return result;
                }
        }
    }

    /// <summary>A reshape of a runtime tensor: the batch axis must stay first and alone.</summary>
    public static Sym Reshape(NodeProto node, RuntimeSym x, Sym?[] inputs, ImportContext ctx)
    {
        var full = new[] { new SymInt(1, 0) }.Concat(x.Value.Shape.Select(d => new SymInt(0, d))).ToArray();
        var result = Reshaped(node, full, inputs, ctx);
        if (result.Length == 0 || result[0] != new SymInt(1, 0) || result.Skip(1).Any(d => !d.IsConstant))
            throw ctx.Fail($"node '{ImportContext.NodeName(node)}' ({node.OpType}) reshapes [N, {string.Join(", ", x.Value.Shape)}] to [{string.Join(", ", result)}]: the batch axis must stay first and alone (export with dynamic_axes on the batch)");
        var shape = result.Skip(1).Select(d => checked((int)d.Constant)).ToArray();
        if (shape.Aggregate(1L, (a, b) => a * b) != x.Value.Size) throw ctx.Fail($"node '{ImportContext.NodeName(node)}' ({node.OpType}) changes the number of values per sample");
        return ctx.Add(id => IndexMapNode.Copy(ImportContext.NodeName(node), node.OpType, x.Value.Id, id, x.Value.Size), node.Output[0], shape, x.Value.DependsOnX);
    }

    public static Sym Transpose(NodeProto node, RuntimeSym x, ImportContext ctx)
    {
        int rank = x.Value.Shape.Length + 1;
        var perm = ImportContext.Ints(node, "perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != rank || perm[0] != 0) throw ctx.Fail($"Transpose node '{ImportContext.NodeName(node)}' moves the batch axis (perm [{string.Join(", ", perm)}])");
        var p = perm.Skip(1).Select(a => (int)a - 1).ToArray();
        var offsets = IndexMapNode.TransposeOffsets(x.Value.Shape, p);
        return ctx.Add(id => new IndexMapNode(ImportContext.NodeName(node), "Transpose", [x.Value.Id], [x.Value.Size], id, new int[offsets.Length], offsets),
            node.Output[0], p.Select(a => x.Value.Shape[a]).ToArray(), x.Value.DependsOnX);
    }

    public static Sym Concat(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        if (inputs.Any(i => i is not RuntimeSym)) throw ctx.Fail($"Concat node '{ImportContext.NodeName(node)}' joins a constant to a runtime tensor; this is not supported");
        var values = inputs.Select(i => ((RuntimeSym)i!).Value).ToArray();
        int axis = ctx.SampleAxis(ImportContext.Int(node, "axis", 0), values[0].Shape.Length, node);
        if (values.Any(v => v.Shape.Length != values[0].Shape.Length || v.Shape.Where((d, i) => i != axis && d != values[0].Shape[i]).Any()))
            throw ctx.Fail($"Concat node '{ImportContext.NodeName(node)}' joins tensors of shapes {string.Join(" and ", values.Select(v => v.ShapeText))} along axis {axis + 1}");
        var shape = (int[])values[0].Shape.Clone();
        shape[axis] = values.Sum(v => v.Shape[axis]);
        int outer = shape.Take(axis).Aggregate(1, (a, b) => a * b), inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        var source = new List<int>();
        var offset = new List<int>();
        for (int o = 0; o < outer; o++)
            for (int s = 0; s < values.Length; s++)
                for (int j = 0; j < values[s].Shape[axis] * inner; j++) { source.Add(s); offset.Add(o * values[s].Shape[axis] * inner + j); }
        return ctx.Add(id => new IndexMapNode(ImportContext.NodeName(node), "Concat", values.Select(v => v.Id).ToArray(), values.Select(v => v.Size).ToArray(), id,
            source.ToArray(), offset.ToArray()), node.Output[0], shape, values.Any(v => v.DependsOnX));
    }

    /// <summary>Split along one axis: one wiring node per output.</summary>
    public static void Split(NodeProto node, RuntimeSym x, Sym?[] inputs, ImportContext ctx)
    {
        var shape = x.Value.Shape;
        int axis = ctx.SampleAxis(ImportContext.Int(node, "axis", 0), shape.Length, node);
        long[] sizes = inputs.Length > 1 && inputs[1] is not null ? ctx.ConstInts(inputs[1], node, "split sizes")
            : ImportContext.Ints(node, "split") ?? Enumerable.Repeat((long)(shape[axis] / node.Output.Count), node.Output.Count).ToArray();
        if (sizes.Length != node.Output.Count || sizes.Sum() != shape[axis]) throw ctx.Fail($"Split node '{ImportContext.NodeName(node)}' splits {shape[axis]} into [{string.Join(", ", sizes)}]");
        int outer = shape.Take(axis).Aggregate(1, (a, b) => a * b), inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        long start = 0;
        for (int k = 0; k < sizes.Length; k++)
        {
            var part = (int[])shape.Clone();
            part[axis] = (int)sizes[k];
            var offsets = new List<int>();
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < sizes[k] * inner; j++) offsets.Add((int)((o * shape[axis] + start) * inner + j));
            start += sizes[k];
            var sym = ctx.Add(id => new IndexMapNode($"{ImportContext.NodeName(node)}:{k}", "Split", [x.Value.Id], [x.Value.Size], id, new int[offsets.Count], offsets.ToArray()),
                node.Output[k], part, x.Value.DependsOnX);
            ctx.Syms[node.Output[k]] = sym;
        }
    }
}
