using Onnx;

namespace MemristorGrid.Engine.Graphs.Import;

/// <summary>Builds the nodes that compute on runtime tensors: products with weights, normalisation, softmax, elementwise ops, label inputs.</summary>
internal static class ComputeNodes
{
    private static string N(NodeProto node) => ImportContext.NodeName(node);

    public static Sym Gemm(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        if (inputs[0] is not RuntimeSym x || x.Value.Shape.Length != 1 || inputs[1] is not ConstSym w || w.Dims.Length != 2)
            throw ctx.Fail($"Gemm node '{N(node)}' must multiply a runtime [N, K] tensor by a constant weight matrix");
        if (ImportContext.Int(node, "transA", 0) != 0) throw ctx.Fail($"Gemm node '{N(node)}' uses transA = 1, which is not supported");
        bool transB = ImportContext.Int(node, "transB", 0) == 1;
        float alpha = ImportContext.Float(node, "alpha", 1), beta = ImportContext.Float(node, "beta", 1);
        int k = (int)(transB ? w.Dims[1] : w.Dims[0]), m = (int)(transB ? w.Dims[0] : w.Dims[1]);
        if (k != x.Value.Shape[0]) throw ctx.Fail($"Gemm node '{N(node)}' multiplies {x.Value.Size} inputs by a {k}-row matrix");
        var weights = Matrix(w.Values, k, m, transB, alpha);
        var bias = new float[m];
        if (inputs.Length > 2 && inputs[2] is ConstSym b)
        {
            if (b.Values.Length != m && b.Values.Length != 1) throw ctx.Fail($"Gemm node '{N(node)}' adds {b.Values.Length} biases to {m} outputs");
            for (int o = 0; o < m; o++) bias[o] = (float)(beta * b.Values[b.Values.Length == 1 ? 0 : o]);
        }
        else if (inputs.Length > 2 && inputs[2] is not null) throw ctx.Fail($"Gemm node '{N(node)}' adds a runtime tensor as its C; only a constant bias is supported");
        return ctx.Add(id => new DenseNode(N(node), "Gemm", x.Value.Id, id, weights, bias, k, m, 1), node.Output[0], [m], x.Value.DependsOnX);
    }

    /// <summary>[K × M] (or [M × K] when transposed) as the crossbar's [M × K], times alpha.</summary>
    private static float[] Matrix(double[] values, int k, int m, bool transposed, double alpha)
    {
        var result = new float[m * k];
        for (int o = 0; o < m; o++)
            for (int i = 0; i < k; i++) result[o * k + i] = (float)(alpha * values[transposed ? o * k + i : i * m + o]);
        return result;
    }

    public static Sym MatMul(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        if (inputs[0] is RuntimeSym x && inputs[1] is ConstSym w && w.Dims.Length == 2)
        {
            int k = (int)w.Dims[0], m = (int)w.Dims[1];
            if (x.Value.Shape.Length == 0 || x.Value.Shape[^1] != k) throw ctx.Fail($"MatMul node '{N(node)}' multiplies {x.Value.ShapeText} by a [{k} × {m}] matrix");
            var shape = x.Value.Shape[..^1].Append(m).ToArray();
            return ctx.Add(id => new DenseNode(N(node), "MatMul", x.Value.Id, id, Matrix(w.Values, k, m, false, 1), new float[m], k, m, x.Value.Size / k),
                node.Output[0], shape, x.Value.DependsOnX);
        }
        if (inputs[0] is RuntimeSym l && inputs[1] is RuntimeSym r && l.Value.Shape.Length >= 2 && r.Value.Shape.Length == l.Value.Shape.Length
            && l.Value.Shape[..^2].SequenceEqual(r.Value.Shape[..^2]) && l.Value.Shape[^1] == r.Value.Shape[^2])
        {
            int a = l.Value.Shape[^2], k = l.Value.Shape[^1], b = r.Value.Shape[^1];
            int matrices = l.Value.Size / (a * k);
            return ctx.Add(id => new SignalProductNode(N(node), l.Value.Id, r.Value.Id, id, matrices, a, k, b), node.Output[0],
                l.Value.Shape[..^1].Append(b).ToArray(), l.Value.DependsOnX || r.Value.DependsOnX);
        }
        throw ctx.Fail($"MatMul node '{N(node)}' combines {Describe(inputs[0])} and {Describe(inputs[1])}; supported: a runtime tensor times a constant matrix, or two runtime tensors of matching batch dimensions");
    }

    public static Sym Conv(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        if (inputs[0] is not RuntimeSym x || x.Value.Shape.Length != 3 || inputs[1] is not ConstSym w || w.Dims.Length != 4)
            throw ctx.Fail($"Conv node '{N(node)}' must convolve a runtime [N, C, H, W] tensor with constant 2-D kernels (1-D and 3-D convolutions are not supported)");
        if (ImportContext.Text(node, "auto_pad", "NOTSET") is not ("NOTSET" or "VALID")) throw ctx.Fail($"Conv node '{N(node)}' uses auto_pad; export with explicit padding");
        int groups = (int)ImportContext.Int(node, "group", 1);
        int cin = x.Value.Shape[0], h = x.Value.Shape[1], wd = x.Value.Shape[2], cout = (int)w.Dims[0], kh = (int)w.Dims[2], kw = (int)w.Dims[3];
        if (groups < 1 || cin % groups != 0 || cout % groups != 0 || w.Dims[1] != cin / groups)
            throw ctx.Fail($"Conv node '{N(node)}' has {cin} input channels, kernels [{string.Join(", ", w.Dims)}] and group = {groups}, which do not fit");
        var strides = (ImportContext.Ints(node, "strides") ?? [1, 1]).Select(v => (int)v).ToArray();
        var pads = (ImportContext.Ints(node, "pads") ?? [0, 0, 0, 0]).Select(v => (int)v).ToArray();
        var dil = (ImportContext.Ints(node, "dilations") ?? [1, 1]).Select(v => (int)v).ToArray();
        int ho = (h + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) / strides[0] + 1, wo = (wd + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) / strides[1] + 1;
        var bias = inputs.Length > 2 && inputs[2] is ConstSym b ? b.Floats : new float[cout];
        if (bias.Length != cout) throw ctx.Fail($"Conv node '{N(node)}' adds {bias.Length} biases to {cout} channels");
        // ONNX's [Cout, Cin/g, kh, kw] row-major is already the unrolled [Cout × Cin/g·kh·kw] matrix.
        return ctx.Add(id => new ConvNode(N(node), x.Value.Id, id, w.Floats, bias, x.Value.Shape, cout, kh, kw, strides, pads, dil, groups, [cout, ho, wo]),
            node.Output[0], [cout, ho, wo], x.Value.DependsOnX);
    }

    public static Sym Normalization(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        if (inputs[0] is not RuntimeSym x || x.Value.Shape.Length < 2 || inputs[1] is not ConstSym scale || inputs[2] is not ConstSym bias)
            throw ctx.Fail($"{node.OpType} node '{N(node)}' must normalise a runtime [N, C, …] tensor with constant scale and bias");
        int c = x.Value.Shape[0], spatial = x.Value.Size / c;
        int groups = node.OpType == "GroupNormalization" ? (int)ImportContext.Int(node, "num_groups", 0) : c;
        if (groups < 1 || c % groups != 0 || scale.Values.Length != bias.Values.Length || scale.Values.Length != c && scale.Values.Length != groups)
            throw ctx.Fail($"{node.OpType} node '{N(node)}' has {c} channels, {groups} groups and {scale.Values.Length} scales");
        float eps = ImportContext.Float(node, "epsilon", 1e-5f);
        return ctx.Add(id => new NormalizationNode(N(node), node.OpType, x.Value.Id, id, c, spatial, groups, scale.Floats, bias.Floats, eps), node.Output[0], x.Value.Shape, x.Value.DependsOnX);
    }

    public static Sym Softmax(NodeProto node, RuntimeSym x, ImportContext ctx)
    {
        var shape = x.Value.Shape;
        int axis = ctx.SampleAxis(ImportContext.Int(node, "axis", -1), shape.Length, node);
        int outer = shape.Take(axis).Aggregate(1, (a, b) => a * b), inner = shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        return ctx.Add(id => new SoftmaxNode(N(node), x.Value.Id, id, outer, shape[axis], inner), node.Output[0], shape, x.Value.DependsOnX);
    }

    public static Sym Elementwise(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        if (inputs.Length == 2 && node.OpType is "Add" or "Sub" or "Mul" or "Div" or "Pow")
        {
            var runtime = inputs.OfType<RuntimeSym>().Select(r => r.Value).ToArray();
            // Full shapes align from the right: two runtime tensors must have the same rank (else a batch axis would meet a
            // sample axis), and a constant as long as [N, …] drops its leading 1, the batch's.
            if (runtime.Length == 2 && runtime[0].Shape.Length != runtime[1].Shape.Length)
                throw ctx.Fail($"node '{N(node)}' ({node.OpType}) combines runtime tensors of ranks {runtime[0].Shape.Length + 1} and {runtime[1].Shape.Length + 1}; unsqueeze one to match");
            int rank = runtime[0].Shape.Length;
            var ops = inputs.Select(i => Operand(i, node, ctx, rank)).ToArray();
            var shape = BinaryNode.Broadcast(ops[0].Shape, ops[1].Shape) ?? throw ctx.Fail($"node '{N(node)}' ({node.OpType}) combines shapes [{string.Join(", ", ops[0].Shape)}] and [{string.Join(", ", ops[1].Shape)}], which do not broadcast");
            return ctx.Add(id => new BinaryNode(N(node), node.OpType, ops[0], ops[1], id, shape), node.Output[0], shape, runtime.Any(v => v.DependsOnX));
        }
        if (inputs[0] is RuntimeSym x)
        {
            float min = float.NegativeInfinity, max = float.PositiveInfinity;
            if (node.OpType == "Clip")
            {
                min = inputs.Length > 1 && inputs[1] is ConstSym lo ? (float)lo.Values[0] : ImportContext.Float(node, "min", min);
                max = inputs.Length > 2 && inputs[2] is ConstSym hi ? (float)hi.Values[0] : ImportContext.Float(node, "max", max);
            }
            var f = UnaryNode.Function(node.OpType, min, max, ImportContext.Text(node, "approximate", "none") == "tanh");
            if (f is not null) return ctx.Add(id => new UnaryNode(N(node), node.OpType, x.Value.Id, id, f), node.Output[0], x.Value.Shape, x.Value.DependsOnX);
        }
        throw ctx.Fail($"node '{N(node)}' uses op '{node.OpType}' on {Describe(inputs[0])}, which is not supported");
    }

    /// <summary>A binary op's input: a runtime value, or a constant whose leading axis (if it spans the full rank) is the batch's 1.</summary>
    private static Operand Operand(Sym? s, NodeProto node, ImportContext ctx, int sampleRank) => s switch
    {
        RuntimeSym r => Graphs.Operand.Of(r.Value),
        ConstSym c when c.Dims.Length <= sampleRank => Graphs.Operand.Const(c.Floats, c.Shape),
        ConstSym c when c.Dims.Length == sampleRank + 1 && c.Dims[0] == 1 => Graphs.Operand.Const(c.Floats, c.Shape[1..]),
        ConstSym c => throw ctx.Fail($"node '{N(node)}' ({node.OpType}) broadcasts a constant [{string.Join(", ", c.Dims)}] over the batch axis"),
        _ => throw ctx.Fail($"node '{N(node)}' ({node.OpType}) combines {Describe(s)}, which is not supported"),
    };

    public static Sym OneHot(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        var depth = ctx.ConstInts(inputs[1], node, "depth");
        var values = inputs[2] as ConstSym ?? throw ctx.Fail($"OneHot node '{N(node)}' takes its values from a runtime tensor");
        if (depth.Length != 1 || depth[0] is < 1 or > 4096 || values.Values.Length != 2) throw ctx.Fail($"OneHot node '{N(node)}' needs one depth (1–4096) and two values [off, on]");
        if (ImportContext.Int(node, "axis", -1) is not (-1 or 1)) throw ctx.Fail($"OneHot node '{N(node)}' writes along an axis other than the last");
        int k = (int)depth[0];
        return ctx.Add(id => new OneHotNode(N(node), id, k, (float)values.Values[0], (float)values.Values[1]), node.Output[0], [k], false);
    }

    public static Sym LabelGather(NodeProto node, ConstSym table, ImportContext ctx)
    {
        if (table.Dims.Length != 2 || ImportContext.Int(node, "axis", 0) != 0) throw ctx.Fail($"Gather node '{N(node)}' must look a label up in a [rows × width] table");
        int rows = (int)table.Dims[0], width = (int)table.Dims[1];
        return ctx.Add(id => new LabelGatherNode(N(node), id, table.Floats, rows, width), node.Output[0], [width], false);
    }

    public static string Describe(Sym? s) => s switch
    {
        RuntimeSym r => $"a runtime tensor {r.Value.ShapeText}",
        ConstSym c => $"a constant [{string.Join(", ", c.Dims)}]",
        ShapeSym => "a shape",
        LabelSym => "the label input",
        _ => "nothing",
    };
}
