using MemristorGrid.Engine.Networks;
using Onnx;

namespace MemristorGrid.Engine.Onnx;

public static partial class OnnxImporter
{
    /// <summary>
    /// The controller's share of a conditional network: every node whose value depends only on the class
    /// label (the authors' one-hot → Linear → GELU → Linear class embedding as PyTorch exports it, an
    /// nn.Embedding followed by an MLP, …) is evaluated here for every label value, so the path becomes a
    /// table the controller reads per class and holds on the embedding DACs, as the paper's board does.
    /// Nothing of it is mapped to crossbar tiles.
    /// </summary>
    private sealed partial class GraphReader
    {
        private static readonly Dictionary<string, Func<double, double>> LabelUnaryOps = new(StringComparer.Ordinal)
        {
            ["Erf"] = SpecialFunctions.Erf,
            ["Relu"] = v => Math.Max(v, 0),
            ["Sigmoid"] = v => 1 / (1 + Math.Exp(-v)),
            ["Tanh"] = Math.Tanh,
            ["Exp"] = Math.Exp,
            ["Neg"] = v => -v,
            ["Sqrt"] = Math.Sqrt,
            ["Sin"] = Math.Sin,
            ["Cos"] = Math.Cos,
            ["Softplus"] = v => v > 30 ? v : Math.Log(1 + Math.Exp(v)),
            ["Gelu"] = SpecialFunctions.Gelu,
        };

        /// <summary>The ops that computed a label table, in graph order (Cast and Identity left out).</summary>
        private string PathOf(LabelEmbeddingSym label) =>
            string.Join(" → ", (label.Nodes ?? []).Select(i => _g.Node[i].OpType).Where(op => op is not ("Cast" or "Identity")));

        /// <summary>The node's value as a label table, or null when the node is not on the label-only path.</summary>
        private Sym? FoldLabelPath(NodeProto node, Sym[] inputs)
        {
            if (node.OpType == "OneHot" && inputs.Length == 3 && inputs[0] is LabelInputSym) return OneHot(node, inputs);
            if (node.OpType == "Gather") return null; // a table looked up by the label: Gather() below
            var tables = inputs.OfType<LabelEmbeddingSym>().ToList();
            if (tables.Count == 0 || inputs.Any(i => i is not (null or LabelEmbeddingSym or ConstSym or LongConstSym))) return null;
            var a = tables[0];
            int[] nodes = tables.SelectMany(t => t.Nodes ?? []).Append(_nodeIndex).Distinct().Order().ToArray();
            LabelEmbeddingSym Step(float[] table) => a with { Table = table, Nodes = nodes };
            switch (node.OpType)
            {
                case "Identity" or "Cast":
                    return inputs[0];
                case "Gemm" or "MatMul":
                    return inputs[0] is LabelEmbeddingSym x ? Step(LabelLinear(node, x, inputs)) : throw Unsupported(node, inputs);
                case "Add" or "Sub" or "Mul" or "Div" or "Pow":
                    return Step(LabelBinary(node, inputs[0], inputs[1], a.Rows));
                case "Clip":
                    {
                        double lo = inputs.Length > 1 && inputs[1] is ConstSym l ? l.Values[0] : node.Attribute.FirstOrDefault(x => x.Name == "min")?.F ?? double.NegativeInfinity;
                        double hi = inputs.Length > 2 && inputs[2] is ConstSym h ? h.Values[0] : node.Attribute.FirstOrDefault(x => x.Name == "max")?.F ?? double.PositiveInfinity;
                        return Step(a.Table.Select(v => (float)Math.Clamp(v, lo, hi)).ToArray());
                    }
                default:
                    if (node.OpType == "Gelu" && node.Attribute.FirstOrDefault(x => x.Name == "approximate") is { } approx && approx.S.ToStringUtf8() == "tanh")
                        return Step(a.Table.Select(v => (float)(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))))).ToArray());
                    if (LabelUnaryOps.TryGetValue(node.OpType, out var f) && inputs.Length == 1)
                        return Step(a.Table.Select(v => (float)f(v)).ToArray());
                    throw Fail($"node '{NodeName(node)}' ({node.OpType}) is on the label path, where the controller evaluates Gemm, MatMul, Add, Sub, Mul, Div, Pow, Clip, Cast and {string.Join(", ", LabelUnaryOps.Keys)}; rewrite the class embedding with those");
            }
        }

        /// <summary>
        /// OneHot(label, depth K, [off, on]) tabulated: K rows for the classes, and a last row of all
        /// "off" for the null label (a one-hot of no class, as label dropout writes it). When the file's
        /// class names number K − 1, index K − 1 is the null label instead and that extra row is dropped.
        /// </summary>
        private Sym OneHot(NodeProto node, Sym[] inputs)
        {
            long axis = node.Attribute.FirstOrDefault(x => x.Name == "axis")?.I ?? -1;
            if (axis is not (-1 or 1)) throw Fail($"OneHot node '{NodeName(node)}' writes along axis {axis}; a class embedding needs the feature axis (−1 or 1)");
            double depth = inputs[1] switch
            {
                LongConstSym l when l.Values.Length == 1 => l.Values[0],
                ConstSym c when c.Values.Length == 1 => c.Values[0],
                _ => throw Fail($"OneHot node '{NodeName(node)}' takes its depth from {Describe(inputs[1])}; it must be one constant"),
            };
            double[] onOff = inputs[2] switch
            {
                LongConstSym l when l.Values.Length == 2 => [l.Values[0], l.Values[1]],
                ConstSym c when c.Values.Length == 2 => [c.Values[0], c.Values[1]],
                _ => throw Fail($"OneHot node '{NodeName(node)}' takes its values from {Describe(inputs[2])}; they must be two constants [off, on]"),
            };
            if (depth is < 1 or > 4096 || depth != Math.Floor(depth)) throw Fail($"OneHot node '{NodeName(node)}' has depth {depth}; expected a class count from 1 to 4096");
            int k = (int)depth;
            var table = new float[(k + 1) * k];
            for (int r = 0; r <= k; r++)
                for (int c = 0; c < k; c++) table[r * k + c] = (float)(r == c ? onOff[1] : onOff[0]);
            return new LabelEmbeddingSym(table, k + 1, NullFromZeroInput: true, Nodes: [_nodeIndex]);
        }

        private float[] LabelLinear(NodeProto node, LabelEmbeddingSym x, Sym[] inputs)
        {
            if (inputs.Length < 2 || inputs[1] is not ConstSym w || w.Dims.Length != 2) throw Unsupported(node, inputs);
            bool transB = node.OpType == "Gemm" && (node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0) == 1;
            if (node.OpType == "Gemm" && (node.Attribute.FirstOrDefault(a => a.Name == "transA")?.I ?? 0) != 0)
                throw Fail($"Gemm node '{NodeName(node)}' on the label path uses transA = 1; only transA = 0 is supported");
            double alpha = node.OpType == "Gemm" ? node.Attribute.FirstOrDefault(a => a.Name == "alpha")?.F ?? 1f : 1;
            double beta = node.OpType == "Gemm" ? node.Attribute.FirstOrDefault(a => a.Name == "beta")?.F ?? 1f : 1;
            int fin = (int)(transB ? w.Dims[1] : w.Dims[0]), fout = (int)(transB ? w.Dims[0] : w.Dims[1]);
            if (fin != x.Width) throw Fail($"node '{NodeName(node)}' multiplies a {x.Width}-wide label embedding by a {fin}×{fout} matrix");
            float[]? bias = inputs.Length > 2 && inputs[2] is ConstSym b ? ExpandBias(b.Values, fout, node) : null;
            var table = new float[x.Rows * fout];
            for (int r = 0; r < x.Rows; r++)
                for (int o = 0; o < fout; o++)
                {
                    double sum = 0;
                    for (int i = 0; i < fin; i++) sum += (double)x.Table[r * fin + i] * w.Values[transB ? o * fin + i : i * fout + o];
                    table[r * fout + o] = (float)(alpha * sum + (bias is null ? 0 : beta * bias[o]));
                }
            return table;
        }

        /// <summary>An elementwise op between label tables of the same rows and constants (a scalar or one value per channel).</summary>
        private float[] LabelBinary(NodeProto node, Sym left, Sym right, long rows)
        {
            (float[] Values, int Width, bool PerRow) Operand(Sym s) => s switch
            {
                LabelEmbeddingSym t when t.Rows == rows => (t.Table, t.Width, true),
                ConstSym c when c.Dims.Length <= 1 || c.Dims.Take(c.Dims.Length - 1).All(d => d == 1) => (c.Values, c.Values.Length, false),
                _ => throw Fail($"node '{NodeName(node)}' ({node.OpType}) on the label path combines {Describe(s)}, which is neither a label table nor a per-channel constant"),
            };
            var (a, b) = (Operand(left), Operand(right));
            int width = Math.Max(a.Width, b.Width);
            if (a.Width != width && a.Width != 1 || b.Width != width && b.Width != 1)
                throw Fail($"node '{NodeName(node)}' ({node.OpType}) combines {a.Width} and {b.Width} channels on the label path");
            Func<double, double, double> op = node.OpType switch
            {
                "Add" => (x, y) => x + y,
                "Sub" => (x, y) => x - y,
                "Mul" => (x, y) => x * y,
                "Div" => (x, y) => x / y,
                _ => Math.Pow,
            };
            float At((float[] Values, int Width, bool PerRow) o, int r, int c) => o.Values[(o.PerRow ? r * o.Width : 0) + (o.Width == 1 ? 0 : c)];
            var table = new float[rows * width];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < width; c++) table[r * width + c] = (float)op(At(a, r, c), At(b, r, c));
            return table;
        }
    }
}
