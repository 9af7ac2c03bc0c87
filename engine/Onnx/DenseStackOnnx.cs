using System.Runtime.InteropServices;
using Google.Protobuf;
using MemristorGrid.Engine.Learning;
using Onnx;
using static MemristorGrid.Engine.Onnx.OnnxProtos;

namespace MemristorGrid.Engine.Onnx;

/// <summary>What the last layer of an exported <see cref="DenseStack"/> feeds.</summary>
public enum DenseStackHead
{
    /// <summary>Sigmoid → <c>image</c> [N, pixels] (the VAE decoder).</summary>
    Sigmoid,
    /// <summary>Split → <c>mean</c>, <c>log_variance</c> [N, latent] each (the VAE encoder).</summary>
    GaussianMoments,
    /// <summary><c>logits</c> [N, classes] and the hidden ReLU outputs as <c>features</c> (the classifier).</summary>
    LogitsAndFeatures,
}

/// <summary>
/// Standard ONNX graphs (opset 17: MatMul, Add, Relu, Sigmoid, Split) for the VAE's and the
/// classifier's MLPs, with metadata in metadata_props, and the reader of exactly that layout.
/// </summary>
public static class DenseStackOnnx
{
    public const string MetaRole = "memgrid.role";

    public static byte[] ToBytes(DenseStack stack, ReadOnlySpan<float> p, DenseStackHead head, string inputName, IEnumerable<(string Key, string Value)> metadata)
    {
        var g = new GraphProto { Name = $"memgrid_{head.ToString().ToLowerInvariant()}" };
        g.Input.Add(TensorInput(inputName, FloatType, "N", stack.InputWidth));
        string current = inputName;
        for (int l = 0; l < stack.Layers.Count; l++)
        {
            var (fin, fout, w, b) = stack.Layers[l];
            string name = $"layers.{l}";
            var weights = new float[fin * fout];
            for (int o = 0; o < fout; o++)
                for (int i = 0; i < fin; i++) weights[i * fout + o] = p[w + o * fin + i];
            g.Initializer.Add(FloatTensor($"{name}.weight", weights, [fin, fout]));
            g.Initializer.Add(FloatTensor($"{name}.bias", p.Slice(b, fout).ToArray(), [fout]));
            g.Node.Add(Node("MatMul", $"{name}/matmul", [current, $"{name}.weight"], [$"{name}/mm"]));
            g.Node.Add(Node("Add", $"{name}/bias", [$"{name}/mm", $"{name}.bias"], [$"{name}/linear"]));
            current = $"{name}/linear";
            if (l < stack.Layers.Count - 1)
            {
                g.Node.Add(Node("Relu", $"{name}/relu", [current], [$"{name}/act"]));
                current = $"{name}/act";
            }
        }
        int outWidth = stack.OutputWidth;
        switch (head)
        {
            case DenseStackHead.Sigmoid:
                g.Node.Add(Node("Sigmoid", "output/sigmoid", [current], ["image"]));
                g.Output.Add(TensorInput("image", FloatType, "N", outWidth));
                break;
            case DenseStackHead.GaussianMoments:
                int latent = outWidth / 2;
                g.Initializer.Add(Int64Tensor("moments.split", [latent, latent], [2]));
                var split = Node("Split", "output/split", [current, "moments.split"], ["mean", "log_variance"]);
                split.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
                g.Node.Add(split);
                g.Output.Add(TensorInput("mean", FloatType, "N", latent));
                g.Output.Add(TensorInput("log_variance", FloatType, "N", latent));
                break;
            case DenseStackHead.LogitsAndFeatures:
                g.Node.Add(Node("Identity", "output/logits", [current], ["logits"]));
                g.Node.Add(Node("Identity", "output/features", ["layers.0/act"], ["features"]));
                g.Output.Add(TensorInput("logits", FloatType, "N", outWidth));
                g.Output.Add(TensorInput("features", FloatType, "N", stack.Widths[1]));
                break;
        }
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "memgrid",
            ProducerVersion = typeof(DenseStackOnnx).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = g,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxNames.Opset });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model.ToByteArray();
    }

    /// <summary>Reads a graph written by <see cref="ToBytes"/>: its stack, parameters and metadata.</summary>
    public static (DenseStack Stack, float[] Parameters, IReadOnlyDictionary<string, string> Metadata) Read(string path, string expectedRole)
    {
        UserInputException Fail(string problem) => new($"{path}: {problem}");
        if (!File.Exists(path)) throw Fail("file not found");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Fail($"cannot read ({e.Message})"); }
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw Fail($"not an ONNX model ({e.Message})"); }
        var meta = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        if (!meta.TryGetValue(MetaRole, out var role) || role != expectedRole)
            throw Fail($"not a MemristorGrid {expectedRole} (metadata {MetaRole} is '{(role ?? "missing")}')");
        var inits = model.Graph?.Initializer.ToDictionary(t => t.Name) ?? [];
        var widths = new List<int>();
        var layers = new List<(float[] W, float[] B)>();
        for (int l = 0; inits.TryGetValue($"layers.{l}.weight", out var w); l++)
        {
            if (w.Dims.Count != 2) throw Fail($"layers.{l}.weight has {w.Dims.Count} dimensions (expected [in, out])");
            int fin = checked((int)w.Dims[0]), fout = checked((int)w.Dims[1]);
            if (widths.Count == 0) widths.Add(fin);
            else if (widths[^1] != fin) throw Fail($"layers.{l}.weight takes {fin} inputs but layer {l - 1} gives {widths[^1]}");
            widths.Add(fout);
            if (!inits.TryGetValue($"layers.{l}.bias", out var b)) throw Fail($"layers.{l}.bias is missing");
            layers.Add((Floats(w, fin * fout, Fail), Floats(b, fout, Fail)));
        }
        if (layers.Count == 0) throw Fail("no layers.0.weight initializer (not written by MemristorGrid)");
        var stack = new DenseStack(widths);
        var p = new float[stack.ParameterCount];
        for (int l = 0; l < layers.Count; l++)
        {
            var (fin, fout, wo, bo) = stack.Layers[l];
            for (int o = 0; o < fout; o++)
                for (int i = 0; i < fin; i++) p[wo + o * fin + i] = layers[l].W[i * fout + o];
            layers[l].B.CopyTo(p, bo);
        }
        for (int i = 0; i < p.Length; i++)
            if (!float.IsFinite(p[i])) throw Fail($"parameter {i} is {p[i]} (weights must be finite)");
        return (stack, p, meta);
    }

    private static float[] Floats(TensorProto t, int count, Func<string, UserInputException> fail)
    {
        if (t.DataType != FloatType) throw fail($"initializer '{t.Name}' is not float");
        float[] values = !t.RawData.IsEmpty
            ? (t.RawData.Length == count * 4 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : throw fail($"initializer '{t.Name}' holds {t.RawData.Length} bytes, expected {count * 4}"))
            : t.FloatData.ToArray();
        if (values.Length != count) throw fail($"initializer '{t.Name}' holds {values.Length} values, expected {count}");
        return values;
    }
}
