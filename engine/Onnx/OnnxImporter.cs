using System.Globalization;
using System.Runtime.InteropServices;
using Google.Protobuf;
using MemristorGrid.Engine.Networks;
using Onnx;

namespace MemristorGrid.Engine.Onnx;

/// <summary>
/// Reads a score network from ONNX: our own export, or an equivalent graph written by another tool
/// (MatMul + Add or Gemm with transB 0/1; Relu, or Clip at [0, s]; the time embedding as
/// Unsqueeze/Reshape → Mul → Sin/Cos → Concat; label embeddings by Gather; an output gain by Mul).
/// The graph is interpreted symbolically node by node; anything else is refused with the node's name
/// and op. Weights come from the initializers (or Constant nodes).
/// </summary>
public static partial class OnnxImporter
{
    public static ScoreNetwork Load(string path) => FromBytes(ReadModelBytes(path), path);

    /// <summary>The file's bytes, for callers that hand the same model to ONNX Runtime as well.</summary>
    public static byte[] ReadModelBytes(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"{path}: model file not found");
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new UserInputException($"{path}: cannot read ({e.Message})"); }
    }

    public static ScoreNetwork FromBytes(byte[] bytes, string source)
    {
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e)
        { throw new UserInputException($"{source}: not a valid ONNX file (protobuf: {e.Message})"); }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new UserInputException($"{source}: not a valid ONNX file (no graph or an empty graph)");
        try { return new GraphReader(model, source).Read(); }
        catch (UserInputException) { throw; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        { throw new UserInputException($"{source}: unsupported or inconsistent score network ({e.Message})"); }
    }

    // Symbolic values flowing through the graph.
    private abstract record Sym;
    private sealed record ConstSym(float[] Values, long[] Dims) : Sym;
    private sealed record LongConstSym(long[] Values) : Sym;
    private sealed record XSym : Sym;
    private sealed record TimeSym(float[] Factor) : Sym;          // t · factor (factor length 1 or K)
    private sealed record TimeTrigSym(float[] Angular, bool IsSin) : Sym;
    private sealed record TimeEmbeddingSym(float[] Angular, bool SinFirst) : Sym;
    private sealed record LabelInputSym : Sym;
    /// <summary>
    /// A value that depends only on the class label, tabulated over every label value (row c for class c,
    /// the null label's row last): the controller computes such a path once per class and holds it on
    /// DACs. <paramref name="NullFromZeroInput"/>: the last row was added for a one-hot of no class.
    /// <paramref name="Nodes"/>: the graph's nodes (by index) that computed it.
    /// </summary>
    private sealed record LabelEmbeddingSym(float[] Table, long Rows, bool NullFromZeroInput = false, int[]? Nodes = null) : Sym
    {
        public int Width => (int)(Table.Length / Rows);
    }
    private sealed record EmbeddingSym(TimeEmbeddingSym? Time, LabelEmbeddingSym? Label) : Sym;
    private sealed record ActivationSym(IReadOnlyList<DenseLayer> Layers, EmbeddingSym Embedding, float? Saturation, HiddenActivation Kind) : Sym;
    private sealed record LinearSym(IReadOnlyList<DenseLayer> Below, EmbeddingSym? BelowEmbedding, float? BelowSaturation,
        int Inputs, int Outputs, float[] Weights, float[]? Bias, EmbeddingSym? Embedding, float Gain, HiddenActivation BelowKind = HiddenActivation.Relu) : Sym;

    /// <summary>sigmoid of a hidden pre-activation, waiting for the Mul that makes it SiLU.</summary>
    private sealed record SigmoidSym(LinearSym Of) : Sym;

    private sealed partial class GraphReader(ModelProto model, string source)
    {
        private readonly Dictionary<string, Sym> _values = new(StringComparer.Ordinal);
        private readonly GraphProto _g = model.Graph;
        private int _nodeIndex;

        public ScoreNetwork Read()
        {
            foreach (var init in _g.Initializer) _values[init.Name] = ReadTensor(init);
            string? xName = null, tName = null, labelName = null;
            foreach (var input in _g.Input)
            {
                if (_values.ContainsKey(input.Name)) continue; // initializer listed as input (IR < 4)
                int elem = input.Type?.TensorType?.ElemType ?? 0;
                int rank = input.Type?.TensorType?.Shape?.Dim.Count ?? -1;
                if (elem is 6 or 7) { labelName = input.Name; _values[input.Name] = new LabelInputSym(); }
                else if (elem == 1 && rank == 2 && xName is null && input.Name != OnnxNames.InputT) { xName = input.Name; _values[input.Name] = new XSym(); }
                else if (elem == 1 && tName is null) { tName = input.Name; _values[input.Name] = new TimeSym([1f]); }
                else throw Fail($"graph input '{input.Name}' is not one of x [N,D] float, t [N] float, label [N] int64");
            }
            if (xName is null) throw Fail("the graph has no input x of shape [N, D] (float)");
            if (tName is null) throw Fail("the graph has no time input t of shape [N] (float)");

            for (_nodeIndex = 0; _nodeIndex < _g.Node.Count; _nodeIndex++) Interpret(_g.Node[_nodeIndex]);

            if (_g.Output.Count != 1) throw Fail($"expected one graph output (the score), found {_g.Output.Count}");
            string outName = _g.Output[0].Name;
            if (!_values.TryGetValue(outName, out var result) || result is not LinearSym final || final.Embedding is not null)
                throw Fail($"graph output '{outName}' is not the output layer of a score network (a linear layer, optionally scaled)");
            if (final.Below.Count == 0 || final.BelowEmbedding is null)
                throw Fail("the network has no hidden layer fed by the time embedding");
            var layers = final.Below.Append(new DenseLayer(final.Inputs, final.Outputs, final.Weights, final.Bias ?? new float[final.Outputs])).ToList();
            var emb = final.BelowEmbedding;
            if (emb.Time is null) throw Fail("hidden layers receive no time embedding (sin/cos of t)");
            float[] angular = emb.Time.Angular;
            int hidden = layers[0].Outputs;
            if (angular.Length * 2 != hidden) throw Fail($"the time embedding has {angular.Length * 2} channels but hidden layers are {hidden} wide");
            if (!emb.Time.SinFirst) throw Fail("time embedding concatenates cos before sin; only [sin | cos] order is supported");
            var label = emb.Label is { } l ? WithNullConvention(l) : null;
            if (label is not null && labelName is null) throw Fail("label embedding present but no label input");
            if (label is not null && label.Width != hidden) throw Fail($"the label embedding ({PathOf(label)}) is {label.Width} wide but hidden layers are {hidden} wide");
            float[]? table = label?.Table;

            var metadata = OnnxMetadata.Read(model, source, label is null ? 0 : (int)label.Rows - 1) with { LabelPath = label is null ? "" : PathOf(label) };
            float gain = final.Gain;
            var net = new ScoreNetwork(layers, angular, table, final.BelowSaturation, gain, metadata, final.BelowKind);
            foreach (var layer in net.Layers) CheckFinite(layer);
            return net;
        }

        /// <summary>A one-hot path carries a row for "no class"; a file whose class names are one fewer than the
        /// one-hot's depth uses its last index as the null label instead (the nn.Embedding convention).</summary>
        private LabelEmbeddingSym WithNullConvention(LabelEmbeddingSym label)
        {
            if (!label.NullFromZeroInput) return label;
            var names = model.MetadataProps.FirstOrDefault(p => p.Key == OnnxNames.MetaClassNames)?.Value;
            if (names is null || names.Length == 0 || OnnxMetadata.ClassNamesOf(names) is not { } list || list.Count != label.Rows - 2) return label;
            return label with { Table = label.Table[..(int)((label.Rows - 1) * label.Width)], Rows = label.Rows - 1, NullFromZeroInput = false };
        }

        private void CheckFinite(DenseLayer layer)
        {
            for (int i = 0; i < layer.Weights.Length; i++)
                if (!float.IsFinite(layer.Weights[i])) throw Fail($"a {layer.Inputs}×{layer.Outputs} weight matrix holds {layer.Weights[i]} at index {i}");
            for (int i = 0; i < layer.Bias.Length; i++)
                if (!float.IsFinite(layer.Bias[i])) throw Fail($"a bias vector of length {layer.Outputs} holds {layer.Bias[i]} at index {i}");
        }

        private void Interpret(NodeProto node)
        {
            Sym[] inputs = node.Input.Select(name => name.Length == 0 ? null! : Get(name, node)).ToArray();
            Sym output = FoldLabelPath(node, inputs) ?? node.OpType switch
            {
                "Constant" => ConstantNode(node),
                "Identity" or "Cast" => inputs[0],
                "Unsqueeze" or "Reshape" or "Flatten" => Reshape(node, inputs),
                "Mul" => Mul(node, inputs),
                "Div" => Div(node, inputs),
                "Sin" or "Cos" => Trig(node, inputs),
                "Concat" => Concat(node, inputs),
                "Gather" => Gather(node, inputs),
                "MatMul" => MatMul(node, inputs),
                "Gemm" => Gemm(node, inputs),
                "Add" => Add(node, inputs),
                "Relu" => Activation(node, inputs[0], null),
                "Tanh" => Activation(node, inputs[0], null, HiddenActivation.Tanh),
                "Gelu" => Gelu(node, inputs),
                "Sigmoid" => inputs[0] is LinearSym pre ? new SigmoidSym(pre) : throw Unsupported(node, inputs),
                "Clip" => Clip(node, inputs),
                _ => throw Fail($"node '{NodeName(node)}' uses op '{node.OpType}', which a score network of this family does not contain"),
            };
            if (node.Output.Count != 1) throw Fail($"node '{NodeName(node)}' ({node.OpType}) has {node.Output.Count} outputs; expected 1");
            _values[node.Output[0]] = output;
        }

        private Sym Get(string name, NodeProto node) =>
            _values.TryGetValue(name, out var v) ? v
                : throw Fail($"node '{NodeName(node)}' ({node.OpType}) reads '{name}', which no earlier node or initializer defines");

        private Sym ConstantNode(NodeProto node)
        {
            var attr = node.Attribute.FirstOrDefault(a => a.Name == "value") ?? throw Fail($"Constant node '{NodeName(node)}' has no tensor 'value'");
            return ReadTensor(attr.T);
        }

        private Sym Reshape(NodeProto node, Sym[] inputs) => inputs[0] switch
        {
            TimeSym t => t,
            ConstSym c => c,
            _ => throw Unsupported(node, inputs),
        };

        private Sym Mul(NodeProto node, Sym[] inputs)
        {
            if (inputs.Length != 2) throw Unsupported(node, inputs);
            var (a, b) = (inputs[0], inputs[1]);
            if (b is TimeSym && a is ConstSym) (a, b) = (b, a);
            if (b is LinearSym && a is ConstSym) (a, b) = (b, a);
            if (a is SigmoidSym && b is LinearSym) (a, b) = (b, a);
            if (a is LinearSym pre && b is SigmoidSym gate && ReferenceEquals(gate.Of, pre)) return Activation(node, pre, null, HiddenActivation.Silu);
            return (a, b) switch
            {
                (TimeSym t, ConstSym c) => new TimeSym(Broadcast(t.Factor, c.Values, (x, y) => x * y, node)),
                (ConstSym c1, ConstSym c2) => new ConstSym(Broadcast(c1.Values, c2.Values, (x, y) => x * y, node), c1.Values.Length >= c2.Values.Length ? c1.Dims : c2.Dims),
                (LinearSym l, ConstSym c) when c.Values.Length == 1 => l with { Gain = l.Gain * c.Values[0] },
                _ => throw Unsupported(node, inputs),
            };
        }

        private Sym Div(NodeProto node, Sym[] inputs) => (inputs[0], inputs[1]) switch
        {
            (TimeSym t, ConstSym c) => new TimeSym(Broadcast(t.Factor, c.Values, (x, y) => x / y, node)),
            (LinearSym l, ConstSym c) when c.Values.Length == 1 => l with { Gain = l.Gain / c.Values[0] },
            _ => throw Unsupported(node, inputs),
        };

        private Sym Trig(NodeProto node, Sym[] inputs) => inputs[0] is TimeSym t
            ? new TimeTrigSym(t.Factor, node.OpType == "Sin")
            : throw Unsupported(node, inputs);

        private Sym Concat(NodeProto node, Sym[] inputs)
        {
            if (inputs.Length == 2 && inputs[0] is TimeTrigSym a && inputs[1] is TimeTrigSym b && a.IsSin != b.IsSin
                && a.Angular.AsSpan().SequenceEqual(b.Angular))
            {
                long axis = node.Attribute.FirstOrDefault(x => x.Name == "axis")?.I ?? 1;
                if (axis is not (1 or -1)) throw Fail($"Concat node '{NodeName(node)}' joins the time embedding along axis {axis}; expected the feature axis (1 or −1)");
                return new TimeEmbeddingSym(a.Angular, a.IsSin);
            }
            throw Unsupported(node, inputs);
        }

        private Sym Gather(NodeProto node, Sym[] inputs)
        {
            long axis = node.Attribute.FirstOrDefault(x => x.Name == "axis")?.I ?? 0;
            if (axis == 0 && inputs[0] is ConstSym table && inputs[1] is LabelInputSym && table.Dims.Length == 2)
                return new LabelEmbeddingSym(table.Values, table.Dims[0], Nodes: [_nodeIndex]);
            throw Unsupported(node, inputs);
        }

        private Sym MatMul(NodeProto node, Sym[] inputs)
        {
            if (inputs.Length != 2 || inputs[1] is not ConstSym w || w.Dims.Length != 2) throw Unsupported(node, inputs);
            // ONNX MatMul: [N, in] × [in, out]; our layers store [out × in].
            int fin = (int)w.Dims[0], fout = (int)w.Dims[1];
            return StartLinear(node, inputs[0], OnnxExporter.Transpose(w.Values, fin, fout), fin, fout, null);
        }

        private Sym Gemm(NodeProto node, Sym[] inputs)
        {
            float alpha = node.Attribute.FirstOrDefault(a => a.Name == "alpha")?.F ?? 1f;
            float beta = node.Attribute.FirstOrDefault(a => a.Name == "beta")?.F ?? 1f;
            long transA = node.Attribute.FirstOrDefault(a => a.Name == "transA")?.I ?? 0;
            long transB = node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
            if (alpha != 1f || beta != 1f || transA != 0)
                throw Fail($"Gemm node '{NodeName(node)}' uses alpha={alpha}, beta={beta}, transA={transA}; only alpha = beta = 1, transA = 0 are supported");
            if (inputs.Length < 2 || inputs[1] is not ConstSym w || w.Dims.Length != 2) throw Unsupported(node, inputs);
            int fin, fout;
            float[] weights;
            if (transB == 1) { fout = (int)w.Dims[0]; fin = (int)w.Dims[1]; weights = (float[])w.Values.Clone(); }
            else { fin = (int)w.Dims[0]; fout = (int)w.Dims[1]; weights = OnnxExporter.Transpose(w.Values, fin, fout); }
            float[]? bias = null;
            if (inputs.Length > 2 && inputs[2] is not null)
            {
                if (inputs[2] is not ConstSym c) throw Unsupported(node, inputs);
                bias = ExpandBias(c.Values, fout, node);
            }
            return StartLinear(node, inputs[0], weights, fin, fout, bias);
        }

        private Sym StartLinear(NodeProto node, Sym input, float[] weights, int fin, int fout, float[]? bias) => input switch
        {
            XSym => new LinearSym([], null, null, fin, fout, weights, bias, null, 1f),
            ActivationSym a when a.Layers[^1].Outputs == fin => new LinearSym(a.Layers, a.Embedding, a.Saturation, fin, fout, weights, bias, null, 1f, a.Kind),
            ActivationSym a => throw Fail($"node '{NodeName(node)}' multiplies a {a.Layers[^1].Outputs}-wide activation by a {fin}×{fout} matrix"),
            _ => throw Fail($"node '{NodeName(node)}' ({node.OpType}) is applied to {Describe(input)}; expected x or a hidden activation"),
        };

        private Sym Add(NodeProto node, Sym[] inputs)
        {
            if (inputs.Length != 2) throw Unsupported(node, inputs);
            var (a, b) = (inputs[0], inputs[1]);
            if (b is LinearSym) (a, b) = (b, a);
            if (a is LinearSym l)
            {
                switch (b)
                {
                    case ConstSym c:
                        var bias = ExpandBias(c.Values, l.Outputs, node);
                        if (l.Bias is { } existing) for (int i = 0; i < bias.Length; i++) bias[i] += existing[i];
                        return l with { Bias = bias };
                    case TimeEmbeddingSym or LabelEmbeddingSym or EmbeddingSym:
                        return l with { Embedding = Merge(l.Embedding, AsEmbedding(b), node) };
                }
                throw Unsupported(node, inputs);
            }
            if (a is TimeEmbeddingSym or LabelEmbeddingSym or EmbeddingSym && b is TimeEmbeddingSym or LabelEmbeddingSym or EmbeddingSym)
                return Merge(AsEmbedding(a), AsEmbedding(b), node);
            throw Unsupported(node, inputs);
        }

        private Sym Clip(NodeProto node, Sym[] inputs)
        {
            float? min = null, max = null;
            if (inputs.Length > 1 && inputs[1] is ConstSym lo) min = lo.Values[0];
            if (inputs.Length > 2 && inputs[2] is ConstSym hi) max = hi.Values[0];
            foreach (var attr in node.Attribute)
            {
                if (attr.Name == "min") min = attr.F;
                if (attr.Name == "max") max = attr.F;
            }
            if (min != 0f) throw Fail($"Clip node '{NodeName(node)}' has lower bound {min?.ToString(CultureInfo.InvariantCulture) ?? "none"}; a ReLU-type activation needs 0");
            return Activation(node, inputs[0], max is { } m && float.IsFinite(m) ? m : null);
        }

        private Sym Gelu(NodeProto node, Sym[] inputs)
        {
            if (node.Attribute.FirstOrDefault(a => a.Name == "approximate") is { } approx && approx.S.ToStringUtf8() != "none")
                throw Fail($"Gelu node '{NodeName(node)}' uses the '{approx.S.ToStringUtf8()}' approximation; only the exact (erf) GELU is supported");
            return Activation(node, inputs[0], null, HiddenActivation.Gelu);
        }

        private Sym Activation(NodeProto node, Sym input, float? saturation, HiddenActivation kind = HiddenActivation.Relu)
        {
            if (input is not LinearSym l) throw Fail($"activation node '{NodeName(node)}' is applied to {Describe(input)}; expected a linear layer");
            if (l.Embedding is null) throw Fail($"hidden layer ending at node '{NodeName(node)}' receives no time embedding");
            if (l.BelowEmbedding is { } below && !SameEmbedding(below, l.Embedding))
                throw Fail($"hidden layer ending at node '{NodeName(node)}' adds a different embedding than the layer below; this family adds the same one to every hidden layer");
            if (l.Below.Count > 0 && l.BelowSaturation != saturation)
                throw Fail($"activation node '{NodeName(node)}' saturates differently from the layer below");
            if (l.Below.Count > 0 && l.BelowKind != kind)
                throw Fail($"activation node '{NodeName(node)}' ({kind}) differs from the layer below's ({l.BelowKind}); this family uses one activation");
            if (l.Gain != 1f) throw Fail($"hidden layer ending at node '{NodeName(node)}' is scaled before its activation");
            var layer = new DenseLayer(l.Inputs, l.Outputs, l.Weights, l.Bias ?? new float[l.Outputs]);
            return new ActivationSym(l.Below.Append(layer).ToList(), l.Embedding, saturation, kind);
        }

        private static EmbeddingSym AsEmbedding(Sym s) => s switch
        {
            EmbeddingSym e => e,
            TimeEmbeddingSym t => new EmbeddingSym(t, null),
            LabelEmbeddingSym l => new EmbeddingSym(null, l),
            _ => throw new InvalidOperationException("not an embedding"),
        };

        private EmbeddingSym Merge(EmbeddingSym? a, EmbeddingSym b, NodeProto node)
        {
            if (a is null) return b;
            if (a.Time is not null && b.Time is not null || a.Label is not null && b.Label is not null)
                throw Fail($"node '{NodeName(node)}' adds the same kind of embedding twice");
            return new EmbeddingSym(a.Time ?? b.Time, a.Label ?? b.Label);
        }

        private static bool SameEmbedding(EmbeddingSym a, EmbeddingSym b) =>
            (a.Time is null) == (b.Time is null) && (a.Label is null) == (b.Label is null)
            && (a.Time is null || a.Time.Angular.AsSpan().SequenceEqual(b.Time!.Angular) && a.Time.SinFirst == b.Time.SinFirst)
            && (a.Label is null || a.Label.Table.AsSpan().SequenceEqual(b.Label!.Table));

        private float[] ExpandBias(float[] values, int outputs, NodeProto node)
        {
            if (values.Length == outputs) return (float[])values.Clone();
            if (values.Length == 1) return Enumerable.Repeat(values[0], outputs).ToArray();
            throw Fail($"node '{NodeName(node)}' adds a bias of {values.Length} values to a layer with {outputs} outputs");
        }

        private float[] Broadcast(float[] a, float[] b, Func<float, float, float> op, NodeProto node)
        {
            if (a.Length == b.Length) return a.Zip(b, op).ToArray();
            if (a.Length == 1) return b.Select(y => op(a[0], y)).ToArray();
            if (b.Length == 1) return a.Select(x => op(x, b[0])).ToArray();
            throw Fail($"node '{NodeName(node)}' combines tensors of {a.Length} and {b.Length} values");
        }

        private Sym ReadTensor(TensorProto t)
        {
            if (t.DataLocation == TensorProto.Types.DataLocation.External)
                throw Fail($"initializer '{t.Name}' stores its data in an external file; save the model with embedded weights");
            long count = t.Dims.Aggregate(1L, (a, b) => a * b);
            if (t.Dims.Any(d => d < 0) || count > 1 << 28) throw Fail($"initializer '{t.Name}' has an invalid shape [{string.Join(",", t.Dims)}]");
            switch (t.DataType)
            {
                case 1: // float
                    {
                        float[] values;
                        if (!t.RawData.IsEmpty)
                        {
                            if (t.RawData.Length != count * 4) throw Fail($"initializer '{t.Name}' holds {t.RawData.Length} bytes, expected {count * 4} for shape [{string.Join(",", t.Dims)}]");
                            values = MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
                        }
                        else values = t.FloatData.ToArray();
                        if (values.Length != count) throw Fail($"initializer '{t.Name}' holds {values.Length} values, expected {count}");
                        for (int i = 0; i < values.Length; i++)
                            if (!float.IsFinite(values[i])) throw Fail($"initializer '{t.Name}' holds {values[i]} at index {i}; weights must be finite numbers");
                        return new ConstSym(values, t.Dims.ToArray());
                    }
                case 7: // int64
                    {
                        long[] values = !t.RawData.IsEmpty ? MemoryMarshal.Cast<byte, long>(t.RawData.Span).ToArray() : t.Int64Data.ToArray();
                        return new LongConstSym(values);
                    }
                default:
                    throw Fail($"initializer '{t.Name}' has ONNX data type {t.DataType}; only float (1) and int64 (7) are supported");
            }
        }

        private static string NodeName(NodeProto node) => node.Name.Length > 0 ? node.Name : $"<unnamed {node.OpType} → {string.Join(",", node.Output)}>";

        private static string Describe(Sym s) => s switch
        {
            XSym => "the input x",
            TimeSym => "the time input",
            LabelInputSym => "the label input",
            ConstSym c => $"a constant of {c.Values.Length} values",
            TimeTrigSym or TimeEmbeddingSym => "the time embedding",
            LabelEmbeddingSym => "the label embedding",
            EmbeddingSym => "an embedding",
            ActivationSym => "a hidden activation",
            LinearSym => "a linear layer's output",
            LongConstSym c => $"an integer constant of {c.Values.Length} values",
            SigmoidSym => "a sigmoid of a linear layer",
            _ => "an intermediate value",
        };

        private UserInputException Unsupported(NodeProto node, Sym[] inputs) =>
            Fail($"node '{NodeName(node)}' ({node.OpType}) combines {string.Join(" and ", inputs.Where(i => i is not null).Select(Describe))}, which does not fit this score-network family");

        private UserInputException Fail(string message) => new($"{source}: {message}");
    }

}
