using MemristorGrid.Engine.Graphs;
using static MemristorGrid.Engine.Tests.GraphImportTests;

namespace MemristorGrid.Engine.Tests;

/// <summary>One test per op (or per exporter's form of one) of the general importer, each against ONNX Runtime.</summary>
public class GraphOpTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]   // 3 × 3, padding 1
    [InlineData(2, 1, 1, 1)]   // strided down-sampling
    [InlineData(1, 2, 1, 1)]   // dilation 2
    [InlineData(1, 1, 2, 1)]   // two groups
    [InlineData(1, 1, 1, 0)]   // 1 × 1 (attention projections, skip connections)
    public void Conv(int stride, int dilation, int groups, int kernelHalf)
    {
        var g = new G([4, 7, 6]);
        int k = 2 * kernelHalf + 1;
        string w = g.Random("w", 0.3f, 6, 4 / groups, k, k), b = g.Random("b", 0.1f, 6);
        var y = g.Node("Conv", ["x", w, b], "y", A("kernel_shape", k, k), A("strides", stride, stride), A("dilations", dilation, dilation),
            A("pads", kernelHalf * dilation, kernelHalf * dilation, kernelHalf * dilation, kernelHalf * dilation), A("group", (long)groups));
        var graph = AgreeWithOnnxRuntime(g.Bytes(y));
        var conv = Assert.IsType<ConvNode>(graph.Nodes.Single());
        Assert.Equal(GraphUnit.Tiles, conv.Unit);
        Assert.Equal(4 / groups * k * k, conv.MatrixInputs);
    }

    /// <summary>Every broadcast form the vectorised runs take (<c>ElementRuns</c>): a full operand, a per-channel scalar, a per-row
    /// scalar, a per-column vector, the constant on either side, and <c>Pow</c> (kept element by element).</summary>
    [Theory]
    [InlineData("Add", 4, 1, 1, false)]
    [InlineData("Sub", 4, 1, 1, true)]
    [InlineData("Sub", 1, 3, 1, false)]
    [InlineData("Mul", 1, 1, 16, true)]
    [InlineData("Mul", 1, 1, 3, true)]    // runs of 3: too short, element by element
    [InlineData("Div", 4, 3, 16, false)]
    [InlineData("Div", 1, 3, 1, false)]
    [InlineData("Mul", 4, 3, 16, true)]
    [InlineData("Pow", 4, 1, 1, false)]
    public void Binary_ops_broadcast(string op, int c, int h, int w, bool constantFirst)
    {
        var g = new G(w == 3 ? [4, 3, 3] : [4, 3, 16]);
        string k = op == "Pow" ? g.Init("k", Enumerable.Repeat(2f, c * h * w).ToArray(), c, h, w) : g.Random("k", 1.5f, c, h, w);
        if (op == "Div") k = g.Node("Add", [g.Node("Abs", [k], "ka"), g.Init("one", [1f], 1)], "kd"); // a divisor away from 0
        var y = g.Node(op, constantFirst ? [k, "x"] : ["x", k], "y");
        AgreeWithOnnxRuntime(g.Bytes(y));
    }

    [Fact]
    public void Conv_with_asymmetric_padding_and_no_bias() =>
        AgreeWithOnnxRuntime(NewConv(g => g.Node("Conv", ["x", g.Random("w", 0.3f, 3, 4, 3, 3)], "y", A("kernel_shape", 3, 3), A("pads", 0, 1, 1, 0), A("strides", 2, 2))));

    private static byte[] NewConv(Func<G, string> build) { var g = new G([4, 7, 6]); return g.Bytes(build(g)); }

    [Theory]
    [InlineData("asymmetric", "floor")]                  // PyTorch's F.interpolate(mode="nearest")
    [InlineData("half_pixel", "round_prefer_floor")]     // ONNX's defaults
    [InlineData("pytorch_half_pixel", "round_prefer_ceil")]
    public void Resize_nearest(string transform, string nearest)
    {
        var g = new G([3, 4, 5]);
        string scales = g.Init("scales", [1, 1, 2, 2], 4);
        var y = g.Node("Resize", ["x", "", scales], "y", A("mode", "nearest"), A("coordinate_transformation_mode", transform), A("nearest_mode", nearest));
        Assert.Equal(GraphUnit.Wiring, AgreeWithOnnxRuntime(g.Bytes(y)).Nodes.Single().Unit);
    }

    [Fact]
    public void Resize_to_sizes()
    {
        var g = new G([3, 4, 5]);
        var batchAndChannels = g.Node("Shape", ["x"], "nc", A("end", 2L));
        var sizes = g.Node("Concat", [batchAndChannels, g.Ints("hw", 8, 15)], "sizes", A("axis", 0L));
        var y = g.Node("Resize", ["x", "", "", sizes], "y", A("mode", "nearest"));
        var graph = AgreeWithOnnxRuntime(g.Bytes(y));
        Assert.Equal([3, 8, 15], graph.Values[graph.OutputValue].Shape);

        // Sizes that fix the batch (a constant [1, 3, 8, 15]) are refused rather than run with the wrong batch.
        var fixedBatch = new G([3, 4, 5]);
        var bad = fixedBatch.Node("Resize", ["x", "", "", fixedBatch.Ints("sizes", 1, 3, 8, 15)], "y", A("mode", "nearest"));
        var e = Assert.Throws<UserInputException>(() => MemristorGrid.Engine.Graphs.Import.GraphImporter.FromBytes(fixedBatch.Bytes(bad), "m.onnx"));
        Assert.Contains("fix the batch size", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void AveragePool(long countIncludePad)
    {
        var g = new G([3, 7, 6]);
        var y = g.Node("AveragePool", ["x"], "y", A("kernel_shape", 2, 2), A("strides", 2, 2), A("pads", 1, 0, 0, 1), A("count_include_pad", countIncludePad));
        AgreeWithOnnxRuntime(g.Bytes(y));
    }

    /// <summary>nn.GroupNorm as PyTorch 1.13 exports it: Reshape [N, G, −1] → InstanceNormalization → Reshape (via Shape) → Mul → Add.</summary>
    [Fact]
    public void GroupNorm_in_its_instance_normalization_form()
    {
        var g = new G([8, 3, 3]);
        var r = g.Node("Reshape", ["x", g.Ints("grouped", 0, 4, -1)], "r");
        var n = g.Node("InstanceNormalization", [r, g.Init("ones", [1, 1, 1, 1], 4), g.Init("zeros", [0, 0, 0, 0], 4)], "n", A("epsilon", 1e-5f));
        var shape = g.Node("Shape", ["x"], "shape");
        var back = g.Node("Reshape", [n, shape], "back");
        var scaled = g.Node("Mul", [back, g.Random("gamma", 1f, 8, 1, 1)], "scaled");
        var y = g.Node("Add", [scaled, g.Random("beta", 1f, 8, 1, 1)], "y");
        var graph = AgreeWithOnnxRuntime(g.Bytes(y));
        Assert.Equal(GraphUnit.Digital, graph.Nodes.Single(x => x.OpType == "InstanceNormalization").Unit);
    }

    [Fact]
    public void GroupNormalization_of_opset_18()
    {
        var g = new G([8, 3, 3], opset: 18);
        var y = g.Node("GroupNormalization", ["x", g.Random("scale", 1f, 4), g.Random("bias", 1f, 4)], "y", A("num_groups", 4L), A("epsilon", 1e-5f));
        AgreeWithOnnxRuntime(g.Bytes(y));
    }

    /// <summary>The attention block's signal path: Reshape → Split → Squeeze → Transpose → MatMul → Div → Softmax → MatMul.</summary>
    [Fact]
    public void Attention()
    {
        var g = new G([12, 2, 2]);
        var qkv = g.Node("Reshape", ["x", g.Ints("qkv_shape", -1, 3, 4, 4)], "qkv");
        var split = new global::Onnx.NodeProto { OpType = "Split", Name = "/split" };
        split.Input.Add([qkv, g.Ints("sizes", 1, 1, 1)]);
        split.Output.Add(["q3", "k3", "v3"]);
        split.Attribute.Add(A("axis", 1L));
        var model = g.Bytes("q3");
        var parsed = global::Onnx.ModelProto.Parser.ParseFrom(model);
        parsed.Graph.Node.Add(split);
        var g2 = parsed;
        void Add(string op, string[] inputs, string output, params global::Onnx.AttributeProto[] attributes)
        {
            var n = new global::Onnx.NodeProto { OpType = op, Name = "/" + output };
            n.Input.Add(inputs); n.Output.Add(output); n.Attribute.Add(attributes);
            g2.Graph.Node.Add(n);
        }
        var axes = new global::Onnx.TensorProto { Name = "axis1", DataType = 7, Dims = { 1 }, Int64Data = { 1 } };
        g2.Graph.Initializer.Add(axes);
        g2.Graph.Initializer.Add(new global::Onnx.TensorProto { Name = "sqrt_c", DataType = 1, FloatData = { 2f } });
        Add("Squeeze", ["q3", "axis1"], "q");
        Add("Squeeze", ["k3", "axis1"], "k");
        Add("Squeeze", ["v3", "axis1"], "v");
        Add("Transpose", ["q"], "qt", A("perm", 0, 2, 1));
        Add("MatMul", ["qt", "k"], "scores");
        Add("Div", ["scores", "sqrt_c"], "scaled");
        Add("Softmax", ["scaled"], "attn", A("axis", -1L));
        Add("Transpose", ["attn"], "attn_t", A("perm", 0, 2, 1));
        Add("MatMul", ["v", "attn_t"], "y");
        g2.Graph.Output[0].Name = "y";
        var graph = AgreeWithOnnxRuntime(Google.Protobuf.MessageExtensions.ToByteArray(g2));
        Assert.All(graph.Nodes.Where(n => n.OpType is "MatMul" or "Softmax"), n => Assert.Equal(GraphUnit.Digital, n.Unit));
        Assert.Equal(GraphUnit.Periphery, graph.Nodes.Single(n => n.OpType == "Div").Unit);
    }

    [Theory]
    [InlineData("silu")]
    [InlineData("gelu-erf")]
    [InlineData("Gelu")]
    [InlineData("Tanh")]
    [InlineData("Relu")]
    public void Activations_are_one_circuit_each(string kind)
    {
        var g = new G([2, 3, 3], opset: kind == "Gelu" ? 20 : 17);
        string y;
        switch (kind)
        {
            case "silu": y = g.Node("Mul", ["x", g.Node("Sigmoid", ["x"], "s")], "y"); break;
            case "gelu-erf":
                var erf = g.Node("Erf", [g.Node("Div", ["x", g.Init("sqrt2", [MathF.Sqrt(2)])], "d")], "e");
                var product = g.Node("Mul", ["x", g.Node("Add", [erf, g.Init("one", [1f])], "e1")], "m");
                y = g.Node("Mul", [product, g.Init("half", [0.5f])], "y");
                break;
            default: y = g.Node(kind, ["x"], "y"); break;
        }
        var graph = AgreeWithOnnxRuntime(g.Bytes(y));
        Assert.All(graph.Nodes, n => Assert.Equal(GraphUnit.Periphery, n.Unit));
    }

    [Fact]
    public void A_product_of_two_independent_signals_is_digital()
    {
        var g = new G([2, 3, 3]);
        var a = g.Node("Conv", ["x", g.Random("w", 0.3f, 2, 2, 1, 1)], "a", A("kernel_shape", 1, 1));
        var y = g.Node("Mul", ["x", a], "y");
        var graph = AgreeWithOnnxRuntime(g.Bytes(y));
        Assert.Equal(GraphUnit.Digital, graph.Nodes.Single(n => n.OpType == "Mul").Unit);
    }

    /// <summary>DDPM's time path: t → Unsqueeze → Mul(freqs) → Sin, Cos → Concat → Gemm → SiLU → Gemm → Unsqueeze ×2, added to a conv
    /// output, and a OneHot class embedding beside it: all of it the controller's.</summary>
    [Fact]
    public void Time_mlp_and_label_paths_are_the_controllers_and_join_the_signal()
    {
        var g = new G([4, 3, 3], label: true);
        var phase = g.Node("Mul", [g.Node("Unsqueeze", ["t", g.Ints("ax1", 1)], "t1"), g.Random("freqs", 3f, 1, 8)], "phase");
        var emb = g.Node("Concat", [g.Node("Sin", [phase], "sin"), g.Node("Cos", [phase], "cos")], "emb", A("axis", 1L));
        var h = g.Node("Gemm", [emb, g.Random("w1", 0.3f, 16, 16), g.Random("b1", 0.1f, 16)], "h", A("transB", 1L));
        var act = g.Node("Mul", [h, g.Node("Sigmoid", [h], "hs")], "act");
        var temb = g.Node("Gemm", [act, g.Random("w2", 0.3f, 4, 16), g.Random("b2", 0.1f, 4)], "temb", A("transB", 1L));
        var onehot = g.Node("Cast", [g.Node("OneHot", ["label", g.Ints("depth", 3), g.Ints("onoff", 0, 1)], "oh", A("axis", -1L))], "ohf", A("to", 1L));
        var lemb = g.Node("Gemm", [onehot, g.Random("wl", 0.5f, 4, 3)], "lemb", A("transB", 1L));
        var both = g.Node("Add", [temb, lemb], "both");
        var col = g.Node("Unsqueeze", [both, g.Ints("ax23", 2, 3)], "col");
        var conv = g.Node("Conv", ["x", g.Random("wc", 0.3f, 4, 4, 3, 3)], "conv", A("kernel_shape", 3, 3), A("pads", 1, 1, 1, 1));
        var y = g.Node("Add", [conv, col], "y");
        var graph = AgreeWithOnnxRuntime(g.Bytes(y), batch: 8, label: true);
        Assert.Equal(3, graph.ClassCount);
        Assert.All(graph.Nodes.Where(n => n.Name is not ("/conv" or "/y")), n => Assert.Equal(GraphUnit.Controller, n.Unit));
        Assert.Equal(GraphUnit.Tiles, graph.Nodes.Single(n => n.Name == "/conv").Unit);
        Assert.Equal(GraphUnit.Periphery, graph.Nodes.Single(n => n.Name == "/y").Unit);
    }

    /// <summary>PyTorch's reshape by computed shape: Shape → Gather → Unsqueeze → Concat → Reshape, the batch kept symbolic.</summary>
    [Fact]
    public void Shape_arithmetic_keeps_the_batch_symbolic()
    {
        var g2 = new G([4, 2, 2]);
        var shape = g2.Node("Shape", ["x"], "shape");
        var batch = g2.Node("Unsqueeze", [g2.Node("Gather", [shape, g2.Ints("i0", 0)], "n"), g2.Ints("ax0", 0)], "n1");
        var batch2 = g2.Node("Squeeze", [batch, g2.Ints("ax0b", 0)], "n2");
        var target = g2.Node("Concat", [batch2, g2.Ints("rest", 16)], "target", A("axis", 0L));
        var flat = g2.Node("Reshape", ["x", target], "flat");
        var y = g2.Node("Reshape", [flat, g2.Ints("back", -1, 4, 2, 2)], "y");
        AgreeWithOnnxRuntime(g2.Bytes(y), batch: 3);
    }

    /// <summary>An op the importer does not read is refused with one line naming the node and the op, and listing what is read.</summary>
    [Theory]
    [InlineData("ConvTranspose")]
    [InlineData("LSTM")]
    [InlineData("BatchNormalization")]
    public void An_unsupported_op_is_refused_naming_the_node(string op)
    {
        var g = new G([4, 3, 3]);
        var conv = g.Node("Conv", ["x", g.Random("w", 0.3f, 4, 4, 1, 1)], "conv", A("kernel_shape", 1, 1));
        var y = g.Node(op, [conv, g.Random("w2", 0.3f, 4, 4, 1, 1)], "odd");
        var e = Assert.Throws<UserInputException>(() => MemristorGrid.Engine.Graphs.Import.GraphImporter.FromBytes(g.Bytes(y), "unet.onnx"));
        Assert.StartsWith($"unet.onnx: node '/odd' uses op '{op}', which memgrid does not import; supported: ", e.Message);
        Assert.Contains("Conv", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}
