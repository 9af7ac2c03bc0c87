using Google.Protobuf;
using MemristorGrid.Engine.Graphs;
using MemristorGrid.Engine.Graphs.Import;
using MemristorGrid.Engine.Randomness;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace MemristorGrid.Engine.Tests;

/// <summary>Every op of the general importer against ONNX Runtime on the same graph (the engine's forward pass, float).</summary>
public class GraphImportTests
{
    /// <summary>A graph with x [N, …xShape], t [N] (and label [N] int64), built node by node.</summary>
    internal sealed class G(int[] xShape, int opset = 17, bool label = false)
    {
        private readonly ModelProto _model = NewModel(xShape, opset, label);
        private int _seed;
        private GraphProto Graph => _model.Graph;

        private static ModelProto NewModel(int[] xShape, int opset, bool label)
        {
            var m = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
            m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
            m.Graph.Input.Add(Input("x", 1, [-1, .. xShape]));
            m.Graph.Input.Add(Input("t", 1, [-1]));
            if (label) m.Graph.Input.Add(Input("label", 7, [-1]));
            return m;
        }

        private static ValueInfoProto Input(string name, int type, int[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (int d in dims) shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type, Shape = shape } } };
        }

        /// <summary>A float initializer of Gaussian values × scale (seeded per call).</summary>
        public string Random(string name, float scale, params long[] dims)
        {
            var v = new float[dims.Aggregate(1L, (a, b) => a * b)];
            Streams.Rng(77, StreamPurpose.Reference, (ulong)(++_seed)).FillGaussian(v);
            return Init(name, v.Select(x => x * scale).ToArray(), dims);
        }

        public string Init(string name, float[] values, params long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = 1 };
            t.Dims.Add(dims);
            t.FloatData.Add(values);
            Graph.Initializer.Add(t);
            return name;
        }

        public string Ints(string name, params long[] values)
        {
            var t = new TensorProto { Name = name, DataType = 7 };
            t.Dims.Add(values.Length);
            t.Int64Data.Add(values);
            Graph.Initializer.Add(t);
            return name;
        }

        public string Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
        {
            var n = new NodeProto { OpType = op, Name = "/" + output };
            n.Input.Add(inputs);
            n.Output.Add(output);
            n.Attribute.Add(attributes);
            Graph.Node.Add(n);
            return output;
        }

        public byte[] Bytes(string output)
        {
            Graph.Output.Clear();
            Graph.Output.Add(new ValueInfoProto { Name = output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
            return _model.ToByteArray();
        }
    }

    internal static AttributeProto A(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    internal static AttributeProto A(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    internal static AttributeProto A(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
    internal static AttributeProto A(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }

    /// <summary>Runs the graph with ONNX Runtime and the engine on the same random batch and compares (1e-4 of each row's scale).</summary>
    internal static ScoreGraph AgreeWithOnnxRuntime(byte[] bytes, int batch = 5, bool label = false, float tolerance = 1e-4f, bool scoreMatchesX = false)
    {
        var graph = GraphImporter.FromBytes(bytes, "op.onnx", scoreMatchesX);
        int d = graph.InputDim;
        var x = new float[batch * d];
        var t = new float[batch];
        Streams.Rng(3, StreamPurpose.Reference, 1).FillGaussian(x);
        Streams.Rng(3, StreamPurpose.Reference, 2).FillUniform(t, 0.05f, 1f);
        long[] labels = label ? Enumerable.Range(0, batch).Select(i => (long)(i % (graph.ClassCount + 1))).ToArray() : [];
        var engine = new float[batch * graph.OutputSize];
        graph.Forward(x, t, labels, engine, new GraphRun(graph, batch));

        using var session = new InferenceSession(bytes);
        var feeds = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [batch, .. graph.Values[graph.XValue].Shape])),
            NamedOnnxValue.CreateFromTensor("t", new DenseTensor<float>(t, [batch])),
        };
        if (label) feeds.Add(NamedOnnxValue.CreateFromTensor("label", new DenseTensor<long>(labels, [batch])));
        using var results = session.Run(feeds);
        var ort = results.First().AsEnumerable<float>().ToArray();
        Assert.Equal(ort.Length, engine.Length);
        int row = graph.OutputSize;
        for (int n = 0; n < batch; n++)
        {
            float scale = Math.Max(1f, ort.Skip(n * row).Take(row).Max(MathF.Abs));
            for (int i = 0; i < row; i++)
                Assert.True(MathF.Abs(engine[n * row + i] - ort[n * row + i]) <= tolerance * scale,
                    $"sample {n} element {i}: engine {engine[n * row + i]} vs ONNX Runtime {ort[n * row + i]}");
        }
        return graph;
    }
}

/// <summary>The shipped U-Net (models/unet-digits.onnx, PyTorch's own export) through the general importer.</summary>
public class UNetImportTests
{
    [Fact]
    public void The_shipped_unet_agrees_with_onnx_runtime_and_is_partitioned()
    {
        byte[] bytes = File.ReadAllBytes(TestNetworks.ModelPath("unet-digits.onnx"));
        var graph = GraphImportTests.AgreeWithOnnxRuntime(bytes, batch: 4, scoreMatchesX: true);
        Assert.Equal(64, graph.InputDim);
        var partition = graph.Partition();
        Assert.Equal(22, graph.Nodes.OfType<ConvNode>().Count());
        Assert.All(graph.Nodes.OfType<ConvNode>(), c => Assert.Equal(GraphUnit.Tiles, c.Unit));
        // The time MLP and σ(t) are the controller's; GroupNorm (as InstanceNormalization), softmax and attention's products digital.
        Assert.True(partition[GraphUnit.Controller].Nodes >= 10);
        Assert.Equal(14 + 1 + 2, partition[GraphUnit.Digital].Nodes);
        Assert.True(partition[GraphUnit.Tiles].Operations > 0.9 * graph.Nodes.Sum(n => n.OperationsPerSample(graph) * (n.Unit is GraphUnit.Tiles or GraphUnit.Digital ? 1 : 0)));
        // ≥ 100 tiles of 64 × 64 (the 180 nm preset's), hence ≥ 7 chips of 16.
        int tiles = graph.Nodes.OfType<WeightedNode>().Where(n => n.Unit == GraphUnit.Tiles).Sum(n => graph.TilesFor(n, 64, 64));
        Assert.InRange(tiles, 100, 1000);
    }
}
