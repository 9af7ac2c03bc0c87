using Google.Protobuf;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Randomness;
using Onnx;

namespace MemristorGrid.Engine.Tests;

/// <summary>
/// Class embeddings computed by a label-only subgraph (the authors' one-hot → Linear → GELU → Linear, as
/// torch.onnx.export writes it) are tabulated per class for the controller; ONNX Runtime on the original
/// graph is the judge.
/// </summary>
public class LabelPathImportTests
{
    private const int Classes = 3, Hidden = 14;

    /// <summary>The exported network with its Gather table replaced by OneHot → Cast → Gemm → activation → Gemm.</summary>
    private static ModelProto WithLabelPath(string activation, bool explicitNull, out ScoreNetwork original)
    {
        original = TestNetworks.Inference(2, Hidden, 2, Classes, seed: 11);
        var model = OnnxExporter.ToModel(original);
        var g = model.Graph;
        int depth = explicitNull ? Classes + 1 : Classes;
        var gather = g.Node.Single(n => n.OpType == "Gather");
        int at = g.Node.IndexOf(gather);
        g.Node.RemoveAt(at);
        g.Initializer.Remove(g.Initializer.Single(i => i.Name == "label.embedding"));
        float[] Random(int n, ulong stream) { var v = new float[n]; Streams.Rng(5, StreamPurpose.Reference, stream).FillGaussian(v); return v.Select(x => 0.6f * x).ToArray(); }
        g.Initializer.Add(Tensor("emb.0.weight", Random(Hidden * depth, 1), Hidden, depth));
        g.Initializer.Add(Tensor("emb.0.bias", Random(Hidden, 2), Hidden));
        g.Initializer.Add(Tensor("emb.2.weight", Random(Hidden * Hidden, 3), Hidden, Hidden));
        g.Initializer.Add(Tensor("emb.2.bias", Random(Hidden, 4), Hidden));
        g.Initializer.Add(new TensorProto { Name = "depth", DataType = 7, Int64Data = { depth } });
        g.Initializer.Add(new TensorProto { Name = "on_off", DataType = 7, Dims = { 2 }, Int64Data = { 0, 1 } });
        g.Initializer.Add(Tensor("sqrt2", [MathF.Sqrt(2)]));
        g.Initializer.Add(Tensor("one", [1f]));
        g.Initializer.Add(Tensor("half", [0.5f]));
        var path = new List<NodeProto>
        {
            Node("OneHot", "/OneHot", [OnnxNames.InputLabel, "depth", "on_off"], "onehot"),
            Node("Cast", "/Cast", ["onehot"], "onehot_f", new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = 1 }),
            Node("Gemm", "/label/emb.0/Gemm", ["onehot_f", "emb.0.weight", "emb.0.bias"], "pre", TransB()),
        };
        switch (activation)
        {
            case "gelu-erf": // PyTorch 1.13's nn.GELU: x · 0.5 · (1 + erf(x / √2))
                path.Add(Node("Div", "/label/emb.1/Div", ["pre", "sqrt2"], "scaled"));
                path.Add(Node("Erf", "/label/emb.1/Erf", ["scaled"], "erf"));
                path.Add(Node("Add", "/label/emb.1/Add", ["erf", "one"], "erf1"));
                path.Add(Node("Mul", "/label/emb.1/Mul", ["pre", "erf1"], "prod"));
                path.Add(Node("Mul", "/label/emb.1/Mul_1", ["prod", "half"], "act"));
                break;
            case "silu":
                path.Add(Node("Sigmoid", "/label/emb.1/Sigmoid", ["pre"], "gate"));
                path.Add(Node("Mul", "/label/emb.1/Mul", ["pre", "gate"], "act"));
                break;
            default: // a single op: Gelu (opset 20), Tanh, Relu, or one the controller does not evaluate
                path.Add(Node(activation, "/label/emb.1/" + activation, ["pre"], "act"));
                break;
        }
        path.Add(Node("Gemm", "/label/emb.2/Gemm", ["act", "emb.2.weight", "emb.2.bias"], "l_emb", TransB()));
        for (int i = path.Count - 1; i >= 0; i--) g.Node.Insert(at, path[i]);
        if (activation == "Gelu") model.OpsetImport[0].Version = 20;
        model.MetadataProps.Remove(model.MetadataProps.Single(p => p.Key == OnnxNames.MetaClassNames));
        if (explicitNull) model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxNames.MetaClassNames, Value = "H,K,U" });
        return model;
    }

    [Theory]
    [InlineData("gelu-erf", false, "OneHot → Gemm → Div → Erf → Add → Mul → Mul → Gemm")]
    [InlineData("gelu-erf", true, "OneHot → Gemm → Div → Erf → Add → Mul → Mul → Gemm")]
    [InlineData("Gelu", false, "OneHot → Gemm → Gelu → Gemm")]
    [InlineData("silu", false, "OneHot → Gemm → Sigmoid → Mul → Gemm")]
    [InlineData("Tanh", true, "OneHot → Gemm → Tanh → Gemm")]
    [InlineData("Relu", false, "OneHot → Gemm → Relu → Gemm")]
    public void A_label_only_subgraph_becomes_the_controllers_table_and_agrees_with_onnx_runtime(string activation, bool explicitNull, string path)
    {
        var model = WithLabelPath(activation, explicitNull, out var original);
        byte[] bytes = model.ToByteArray();
        var net = OnnxImporter.FromBytes(bytes, "authors.onnx");
        Assert.Equal(Classes, net.ClassCount);
        Assert.Equal(path, net.Metadata.LabelPath);
        Assert.Equal(explicitNull ? ["H", "K", "U"] : ["0", "1", "2"], net.ClassNames);
        for (int l = 0; l < original.Layers.Count; l++) Assert.Equal(original.Layers[l].Weights, net.Layers[l].Weights);

        // Every label value, the null label included (a one-hot of no class, or the file's last index).
        var (x, t, labels) = TestNetworks.Inputs(200, 2, Classes, seed: 3);
        Assert.Contains(labels, l => l == Classes);
        var engine = new float[x.Length];
        var ort = new float[x.Length];
        new NetworkScoreModel(net).Evaluate(x, t, labels, engine);
        using (var runtime = new OnnxRuntimeScoreModel(bytes, net))
            runtime.Evaluate(x, t, labels, ort);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(engine[i] - ort[i]) <= 1e-4f * Math.Max(1f, Math.Abs(ort[i])), $"value {i} (label {labels[i / 2]}): engine {engine[i]} vs ORT {ort[i]}");

        // The classes differ from each other and from the null label (the path is not constant).
        var rows = Enumerable.Range(0, Classes + 1).Select(c => net.LabelTable!.AsSpan(c * Hidden, Hidden).ToArray()).ToList();
        for (int a = 0; a < rows.Count; a++)
            for (int b = a + 1; b < rows.Count; b++) Assert.NotEqual(rows[a], rows[b]);
    }

    [Fact]
    public void An_op_the_controller_does_not_evaluate_is_refused_naming_the_node()
    {
        var model = WithLabelPath("Softsign", explicitNull: false, out _);
        var e = Assert.Throws<UserInputException>(() => OnnxImporter.FromBytes(model.ToByteArray(), "authors.onnx"));
        Assert.StartsWith("authors.onnx: node '/label/emb.1/Softsign' (Softsign) is on the label path", e.Message);
        Assert.Contains("Erf", e.Message);
    }

    [Fact]
    public void A_label_embedding_of_the_wrong_width_is_refused()
    {
        var model = WithLabelPath("Relu", explicitNull: false, out _);
        var w = model.Graph.Initializer.Single(i => i.Name == "emb.2.weight");
        model.Graph.Initializer.Remove(w);
        model.Graph.Initializer.Add(Tensor("emb.2.weight", new float[10 * Hidden], 10, Hidden));
        var bias = model.Graph.Initializer.Single(i => i.Name == "emb.2.bias");
        model.Graph.Initializer.Remove(bias);
        model.Graph.Initializer.Add(Tensor("emb.2.bias", new float[10], 10));
        var e = Assert.Throws<UserInputException>(() => OnnxImporter.FromBytes(model.ToByteArray(), "authors.onnx"));
        Assert.Contains("10", e.Message);
        Assert.Contains("14", e.Message);
    }

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.Add(dims);
        t.FloatData.Add(values);
        return t;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        return node;
    }

    private static AttributeProto TransB() => new() { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 };
}
