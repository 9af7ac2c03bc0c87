using Google.Protobuf;
using MemristorGrid.Engine.Onnx;
using Onnx;

namespace MemristorGrid.Engine.Graphs.Import;

/// <summary>
/// Reads a general score network from ONNX (opsets 13–20, as PyTorch 1.13 and 2.x export them):
/// convolutional U-Nets with GroupNorm (or its InstanceNormalization + Reshape form), SiLU, GELU,
/// residual Add, skip Concat, strided-conv or average-pool down-sampling, nearest Resize up-sampling,
/// a sinusoidal time embedding with its MLP, OneHot or Gather label embeddings, and MatMul + Softmax
/// attention. Shape arithmetic is folded with the batch size kept symbolic. Anything else is refused
/// naming the node and its op.
/// </summary>
public static class GraphImporter
{
    /// <summary>Ops the importer reads, for messages and for telling a general network from the MLP family.</summary>
    public static readonly IReadOnlySet<string> SupportedOps = new HashSet<string>(StringComparer.Ordinal)
    {
        "Constant", "Identity", "Cast", "Shape", "Gather", "Unsqueeze", "Squeeze", "Reshape", "Flatten", "Concat", "Slice", "Split",
        "Transpose", "Add", "Sub", "Mul", "Div", "Pow", "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Sin", "Cos", "Erf",
        "Sigmoid", "Tanh", "Relu", "Softplus", "Gelu", "Clip", "Gemm", "MatMul", "Conv", "InstanceNormalization", "GroupNormalization",
        "Softmax", "Resize", "AveragePool", "OneHot",
    };

    /// <summary>Ops of the paper's MLP family (OnnxImporter), label paths included.</summary>
    private static readonly HashSet<string> MlpFamilyOps = new(StringComparer.Ordinal)
    {
        "Constant", "Identity", "Cast", "Unsqueeze", "Reshape", "Flatten", "Mul", "Div", "Sin", "Cos", "Concat", "Gather", "MatMul",
        "Gemm", "Add", "Sub", "Pow", "Relu", "Tanh", "Gelu", "Sigmoid", "Clip", "OneHot", "Erf", "Exp", "Neg", "Sqrt", "Softplus",
    };

    /// <summary>Whether a file needs the general importer: it uses an op the MLP family never does (Conv, normalisation, Softmax, …).
    /// A file that does not parse is left to the MLP importer's messages.</summary>
    public static bool IsGeneral(byte[] bytes)
    {
        try { return ModelProto.Parser.ParseFrom(bytes).Graph?.Node.Any(n => !MlpFamilyOps.Contains(n.OpType) && SupportedOps.Contains(n.OpType)) == true; }
        catch (InvalidProtocolBufferException) { return false; }
    }

    /// <summary>The ops of a general file that the MLP family lacks, e.g. "Conv, InstanceNormalization, Softmax".</summary>
    public static string GeneralOpsOf(byte[] bytes) =>
        string.Join(", ", ModelProto.Parser.ParseFrom(bytes).Graph.Node.Select(n => n.OpType).Where(op => !MlpFamilyOps.Contains(op) && SupportedOps.Contains(op)).Distinct());

    public static ScoreGraph FromBytes(byte[] bytes, string source) => FromBytes(bytes, source, scoreMatchesX: true);

    /// <param name="scoreMatchesX">false only for tests of single ops, whose output need not be a score</param>
    internal static ScoreGraph FromBytes(byte[] bytes, string source, bool scoreMatchesX)
    {
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw new UserInputException($"{source}: not a valid ONNX file (protobuf: {e.Message})"); }
        if (model.Graph is null || model.Graph.Node.Count == 0) throw new UserInputException($"{source}: not a valid ONNX file (no graph or an empty graph)");
        try { return Read(model, source, scoreMatchesX); }
        catch (UserInputException) { throw; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException or NullReferenceException)
        { throw new UserInputException($"{source}: unsupported or inconsistent score network ({e.Message})"); }
    }

    private static ScoreGraph Read(ModelProto model, string source, bool scoreMatchesX)
    {
        var ctx = new ImportContext(source);
        var g = model.Graph;
        foreach (var init in g.Initializer) ctx.Syms[init.Name] = ConstantFolding.Tensor(init, ctx);
        int x = -1, t = -1;
        bool hasLabel = false;
        foreach (var input in g.Input)
        {
            if (ctx.Syms.ContainsKey(input.Name)) continue;
            var type = input.Type?.TensorType;
            var dims = type?.Shape?.Dim.Select(d => d.HasDimValue ? (int)d.DimValue : -1).ToArray() ?? [];
            if (type?.ElemType is 6 or 7) { ctx.Syms[input.Name] = new LabelSym(); hasLabel = true; }
            else if (type?.ElemType == 1 && dims.Length >= 2 && x < 0 && dims.Skip(1).All(d => d > 0))
                x = ((RuntimeSym)(ctx.Syms[input.Name] = new RuntimeSym(ctx.NewValue(input.Name, dims[1..], dependsOnX: true)))).Value.Id;
            else if (type?.ElemType == 1 && t < 0 && (dims.Length == 1 || dims.Length == 2 && dims[1] == 1))
                t = ((RuntimeSym)(ctx.Syms[input.Name] = new RuntimeSym(ctx.NewValue(input.Name, dims.Length == 1 ? [] : [1], dependsOnX: false)))).Value.Id;
            else throw ctx.Fail($"graph input '{input.Name}' is not one of x [N, …] float with fixed sample dimensions, t [N] float, label [N] int64");
        }
        if (x < 0) throw ctx.Fail("the graph has no input x of shape [N, …] (float)");
        if (t < 0) throw ctx.Fail("the graph has no time input t of shape [N] (float)");

        int classes = 0;
        foreach (var node in g.Node)
        {
            var inputs = node.Input.Select(name => name.Length == 0 ? null : ctx.Syms.TryGetValue(name, out var s) ? s
                : throw ctx.Fail($"node '{ImportContext.NodeName(node)}' ({node.OpType}) reads '{name}', which no earlier node or initializer defines")).ToArray();
            if (!SupportedOps.Contains(node.OpType))
                throw ctx.Fail($"node '{ImportContext.NodeName(node)}' uses op '{node.OpType}', which memgrid does not import; supported: {string.Join(", ", SupportedOps.Order())}");
            if (node.OpType == "OneHot" && inputs[0] is LabelSym) classes = (int)ctx.ConstInts(inputs[1], node, "depth")[0];
            if (node.OpType == "Gather" && inputs[1] is LabelSym && inputs[0] is ConstSym table) classes = (int)table.Dims[0] - 1;
            if (node.OpType == "Split") { Layout.Split(node, inputs[0] as RuntimeSym ?? throw ctx.Fail($"Split node '{ImportContext.NodeName(node)}' splits a constant"), inputs, ctx); continue; }
            var output = Interpret(node, inputs, ctx);
            if (node.Output.Count != 1) throw ctx.Fail($"node '{ImportContext.NodeName(node)}' ({node.OpType}) has {node.Output.Count} outputs; expected 1");
            ctx.Syms[node.Output[0]] = output;
        }
        if (g.Output.Count != 1) throw ctx.Fail($"expected one graph output (the score), found {g.Output.Count}");
        if (!ctx.Syms.TryGetValue(g.Output[0].Name, out var result) || result is not RuntimeSym score || !score.Value.DependsOnX)
            throw ctx.Fail($"graph output '{g.Output[0].Name}' is not computed from x");
        if (scoreMatchesX && score.Value.Size != ctx.Values[x].Size) throw ctx.Fail($"the score {score.Value.ShapeText} does not match x {ctx.Values[x].ShapeText}");
        var metadata = OnnxMetadata.Read(model, source, classes);
        return new ScoreGraph(ctx.Values, ctx.Nodes, x, t, score.Value.Id, hasLabel, classes, metadata);
    }

    private static Sym Interpret(NodeProto node, Sym?[] inputs, ImportContext ctx)
    {
        if (ConstantFolding.TryFold(node, inputs, ctx) is { } folded) return folded;
        string name = ImportContext.NodeName(node);
        RuntimeSym First() => inputs[0] as RuntimeSym ?? throw ctx.Fail($"node '{name}' ({node.OpType}) is applied to {ComputeNodes.Describe(inputs[0])}; expected a runtime tensor");
        return node.OpType switch
        {
            "Identity" or "Cast" when inputs[0] is LabelSym => inputs[0]!,
            "Unsqueeze" or "Squeeze" or "Reshape" or "Flatten" => Layout.Reshape(node, First(), inputs, ctx),
            "Transpose" => Layout.Transpose(node, First(), ctx),
            "Concat" => Layout.Concat(node, inputs, ctx),
            "Resize" => Resampling.Resize(node, First(), inputs, ctx),
            "AveragePool" => Resampling.AveragePool(node, First(), ctx),
            "Gemm" => ComputeNodes.Gemm(node, inputs, ctx),
            "MatMul" => ComputeNodes.MatMul(node, inputs, ctx),
            "Conv" => ComputeNodes.Conv(node, inputs, ctx),
            "InstanceNormalization" or "GroupNormalization" => ComputeNodes.Normalization(node, inputs, ctx),
            "Softmax" => ComputeNodes.Softmax(node, First(), ctx),
            "OneHot" when inputs[0] is LabelSym => ComputeNodes.OneHot(node, inputs, ctx),
            "Gather" when inputs[1] is LabelSym && inputs[0] is ConstSym table => ComputeNodes.LabelGather(node, table, ctx),
            _ => ComputeNodes.Elementwise(node, inputs, ctx),
        };
    }
}
