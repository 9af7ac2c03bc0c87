using Google.Protobuf;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using Onnx;

namespace MemristorGrid.Engine.Tests;

public class OnnxTests
{
    public static TheoryData<int, int, int, int, double?> Shapes => new()
    {
        { 2, 14, 2, 0, null },     // the paper's unconditional network
        { 2, 14, 2, 3, null },     // the paper's conditional network (H, K, U)
        { 5, 32, 3, 7, 2.5 },      // deeper, wider, saturating, 7 classes
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Onnx_runtime_matches_the_engine_forward_pass(int d, int h, int layers, int classes, double? saturation)
    {
        var net = TestNetworks.Inference(d, h, layers, classes, saturation, seed: 4);
        var (x, t, labels) = TestNetworks.Inputs(257, d, classes, seed: 8);
        var engine = new float[x.Length];
        var ort = new float[x.Length];
        new NetworkScoreModel(net).Evaluate(x, t, labels, engine);
        using (var runtime = new OnnxRuntimeScoreModel(OnnxExporter.ToBytes(net), net))
            runtime.Evaluate(x, t, labels, ort);

        // Relative to the magnitude of each output row (a single component can sit near zero).
        for (int i = 0; i < t.Length; i++)
        {
            float scale = 0;
            for (int j = 0; j < d; j++) scale = Math.Max(scale, Math.Abs(ort[i * d + j]));
            for (int j = 0; j < d; j++)
                Assert.True(Math.Abs(engine[i * d + j] - ort[i * d + j]) <= 1e-5f * Math.Max(scale, 1e-3f),
                    $"row {i} col {j}: engine {engine[i * d + j]} vs ORT {ort[i * d + j]}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Export_import_export_reproduces_every_weight_exactly(int d, int h, int layers, int classes, double? saturation)
    {
        var net = TestNetworks.Inference(d, h, layers, classes, saturation, seed: 5);
        byte[] first = OnnxExporter.ToBytes(net);
        var imported = OnnxImporter.FromBytes(first, "test.onnx");
        byte[] second = OnnxExporter.ToBytes(imported);
        Assert.Equal(first, second);
        for (int l = 0; l < net.Layers.Count; l++)
        {
            Assert.Equal(net.Layers[l].Weights, imported.Layers[l].Weights);
            Assert.Equal(net.Layers[l].Bias, imported.Layers[l].Bias);
        }
        Assert.Equal(net.AngularFrequencies, imported.AngularFrequencies);
        Assert.Equal(net.LabelTable, imported.LabelTable);
        Assert.Equal(net.Saturation, imported.Saturation);
        Assert.Equal(net.OutputGain, imported.OutputGain);
        Assert.Equal(net.ClassNames, imported.ClassNames);
        Assert.Equal(net.Metadata.SamplingScheduleScale, imported.Metadata.SamplingScheduleScale);
        Assert.Equal(net.Metadata.Task, imported.Metadata.Task);
    }

    /// <summary>The same network written the way other exporters write it (PyTorch's Gemm, Clip with
    /// attributes-free inputs, Constant nodes, a 2π factor multiplied separately).</summary>
    private static ModelProto ForeignGraph(ScoreNetwork net, bool gemmTransB, bool clipInsteadOfRelu)
    {
        var model = OnnxExporter.ToModel(net);
        var g = model.Graph;
        model.MetadataProps.Clear();
        var nodes = g.Node.ToList();
        g.Node.Clear();
        foreach (var node in nodes)
        {
            if (node.OpType == "MatMul")
            {
                string prefix = node.Name.Split('/')[0];
                var init = g.Initializer.Single(i => i.Name == $"{prefix}.weight");
                var bias = $"{prefix}.bias";
                var gemm = new NodeProto { OpType = "Gemm", Name = $"/{prefix}/Gemm" };
                gemm.Input.Add([node.Input[0], init.Name, bias]);
                gemm.Output.Add($"{prefix}/linear");
                if (gemmTransB)
                {
                    // PyTorch layout: weight [out, in] with transB = 1.
                    long fin = init.Dims[0], fout = init.Dims[1];
                    var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(init.RawData.Span).ToArray();
                    var transposed = new float[values.Length];
                    for (int i = 0; i < fin; i++) for (int o = 0; o < fout; o++) transposed[o * fin + i] = values[i * fout + o];
                    init.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(transposed.AsSpan()));
                    init.Dims.Clear();
                    init.Dims.Add([fout, fin]);
                    gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
                }
                g.Node.Add(gemm);
                continue;
            }
            if (node.OpType == "Add" && node.Name.EndsWith("/bias")) continue; // folded into Gemm
            if (node.OpType == "Relu" && clipInsteadOfRelu)
            {
                var clip = new NodeProto { OpType = "Clip", Name = node.Name + "_clip" };
                clip.Input.Add([node.Input[0], "zero", ""]);
                clip.Output.Add(node.Output[0]);
                g.Node.Add(clip);
                continue;
            }
            if (node.OpType == "Mul" && node.Name == "time_phase")
            {
                // t · (2π) · ω as two Muls, ω from a Constant node.
                var omega = g.Initializer.Single(i => i.Name == "time.angular_frequency");
                g.Initializer.Remove(omega);
                var constant = new NodeProto { OpType = "Constant", Name = "omega_const" };
                constant.Output.Add("omega_value");
                var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(omega.RawData.Span).ToArray();
                var halved = values.Select(v => v / 2f).ToArray();
                var tensor = new TensorProto { DataType = 1 };
                tensor.Dims.Add(omega.Dims);
                tensor.FloatData.Add(halved);
                constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor });
                g.Node.Add(constant);
                var mul1 = new NodeProto { OpType = "Mul", Name = "times_omega" };
                mul1.Input.Add(["t_col", "omega_value"]);
                mul1.Output.Add("t_half_phase");
                g.Node.Add(mul1);
                g.Initializer.Add(new TensorProto { Name = "two", DataType = 1, FloatData = { 2f } });
                var mul2 = new NodeProto { OpType = "Mul", Name = "times_two" };
                mul2.Input.Add(["two", "t_half_phase"]);
                mul2.Output.Add("t_phase");
                g.Node.Add(mul2);
                continue;
            }
            g.Node.Add(node);
        }
        g.Initializer.Add(new TensorProto { Name = "zero", DataType = 1, FloatData = { 0f } });
        return model;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Imports_equivalent_graphs_written_by_other_tools(bool gemmTransB, bool clip)
    {
        var net = TestNetworks.Inference(2, 14, 2, classes: 3, seed: 6);
        var foreign = ForeignGraph(net, gemmTransB, clip).ToByteArray();
        var imported = OnnxImporter.FromBytes(foreign, "foreign.onnx");
        Assert.Equal(net.InputDim, imported.InputDim);
        Assert.Equal(net.ClassCount, imported.ClassCount);
        for (int l = 0; l < net.Layers.Count; l++)
        {
            Assert.Equal(net.Layers[l].Weights, imported.Layers[l].Weights);
            Assert.Equal(net.Layers[l].Bias, imported.Layers[l].Bias);
        }
        Assert.Null(imported.Saturation);
        Assert.Equal(net.OutputGain, imported.OutputGain);
        Assert.Equal(["0", "1", "2"], imported.ClassNames); // no metadata: classes are numbered

        // ONNX Runtime on the foreign graph agrees with the imported network.
        var (x, t, labels) = TestNetworks.Inputs(64, 2, 3, seed: 2);
        var engine = new float[x.Length];
        var ort = new float[x.Length];
        new NetworkScoreModel(imported).Evaluate(x, t, labels, engine);
        using (var runtime = new OnnxRuntimeScoreModel(foreign, imported))
            runtime.Evaluate(x, t, labels, ort);
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(engine[i] - ort[i]) <= 1e-5f * Math.Max(1f, Math.Abs(ort[i])), $"{engine[i]} vs {ort[i]}");
    }

    [Fact]
    public void Refuses_an_unsupported_op_naming_the_node()
    {
        var model = OnnxExporter.ToModel(TestNetworks.Inference());
        model.Graph.Node.Single(n => n.Name == "layers.0/relu").OpType = "Softplus";
        var e = Assert.Throws<UserInputException>(() => OnnxImporter.FromBytes(model.ToByteArray(), "m.onnx"));
        Assert.Contains("layers.0/relu", e.Message);
        Assert.Contains("Softplus", e.Message);

        // One activation per network: a Tanh layer under a ReLU layer is refused, naming both.
        var mixed = OnnxExporter.ToModel(TestNetworks.Inference());
        mixed.Graph.Node.Single(n => n.Name == "layers.0/relu").OpType = "Tanh";
        var m = Assert.Throws<UserInputException>(() => OnnxImporter.FromBytes(mixed.ToByteArray(), "m.onnx"));
        Assert.Contains("Tanh", m.Message);
        Assert.Contains("Relu", m.Message);
    }

    [Fact]
    public void Refuses_a_hidden_layer_without_time_embedding()
    {
        var model = OnnxExporter.ToModel(TestNetworks.Inference());
        var add = model.Graph.Node.Single(n => n.Name == "layers.1/embedding");
        add.OpType = "Identity";
        add.Input.RemoveAt(1);
        var e = Assert.Throws<UserInputException>(() => OnnxImporter.FromBytes(model.ToByteArray(), "m.onnx"));
        Assert.Contains("time embedding", e.Message);
    }

    [Fact]
    public void Refuses_NaN_weights_naming_the_initializer()
    {
        var model = OnnxExporter.ToModel(TestNetworks.Inference());
        var init = model.Graph.Initializer.Single(i => i.Name == "layers.1.weight");
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(init.RawData.Span).ToArray();
        values[5] = float.NaN;
        init.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        var e = Assert.Throws<UserInputException>(() => OnnxImporter.FromBytes(model.ToByteArray(), "m.onnx"));
        Assert.Contains("layers.1.weight", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x08, 0x08, 0x12 })]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    public void Malformed_bytes_give_a_clear_error(byte[] bytes)
    {
        var e = Assert.Throws<UserInputException>(() => OnnxImporter.FromBytes(bytes, "bad.onnx"));
        Assert.StartsWith("bad.onnx: ", e.Message);
    }

    [Fact]
    public void A_truncated_file_gives_a_clear_error()
    {
        byte[] bytes = OnnxExporter.ToBytes(TestNetworks.Inference());
        for (int cut = 1; cut < bytes.Length; cut += Math.Max(1, bytes.Length / 50))
        {
            var e = Record.Exception(() => OnnxImporter.FromBytes(bytes[..cut], "cut.onnx"));
            // A cut at a field boundary can leave a valid prefix (e.g. fewer metadata entries); anything else must be a clear error.
            Assert.True(e is null or UserInputException, $"cut at {cut}: {e?.GetType().Name}: {e?.Message}");
        }
    }
}
