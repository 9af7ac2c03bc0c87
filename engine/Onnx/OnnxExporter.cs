using System.Runtime.InteropServices;
using Google.Protobuf;
using MemristorGrid.Engine.IO;
using MemristorGrid.Engine.Networks;
using Onnx;
using static MemristorGrid.Engine.Onnx.OnnxProtos;

namespace MemristorGrid.Engine.Onnx;

/// <summary>
/// Writes a score network as a standard ONNX graph (opset 17) that ONNX Runtime and other tools run:
/// inputs x [N, D], t [N], optional label [N] (int64; the class count selects the null label);
/// output score [N, D]; the diffusion metadata in metadata_props.
/// </summary>
public static class OnnxExporter
{

    public static byte[] ToBytes(ScoreNetwork net) => ToModel(net).ToByteArray();

    public static void Save(ScoreNetwork net, string path) => AtomicFile.WriteAllBytes(path, ToBytes(net));

    public static ModelProto ToModel(ScoreNetwork net)
    {
        int d = net.InputDim, h = net.HiddenWidth, k = h / 2;
        var g = new GraphProto { Name = "memgrid_score_network" };
        g.Input.Add(TensorInput(OnnxNames.InputX, FloatType, "N", d));
        g.Input.Add(TensorInput(OnnxNames.InputT, FloatType, "N"));
        if (net.IsConditional) g.Input.Add(TensorInput(OnnxNames.InputLabel, Int64Type, "N"));
        g.Output.Add(TensorInput(OnnxNames.OutputScore, FloatType, "N", d));

        // Time embedding: [sin(2πω t) | cos(2πω t)].
        g.Initializer.Add(Int64Tensor("time.axes", [1], [1]));
        g.Initializer.Add(FloatTensor("time.angular_frequency", net.AngularFrequencies, [1, k]));
        g.Node.Add(Node("Unsqueeze", "time_column", [OnnxNames.InputT, "time.axes"], ["t_col"]));
        g.Node.Add(Node("Mul", "time_phase", ["t_col", "time.angular_frequency"], ["t_phase"]));
        g.Node.Add(Node("Sin", "time_sin", ["t_phase"], ["t_sin"]));
        g.Node.Add(Node("Cos", "time_cos", ["t_phase"], ["t_cos"]));
        var concat = Node("Concat", "time_embedding", ["t_sin", "t_cos"], ["t_emb"]);
        concat.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(concat);
        string embedding = "t_emb";
        if (net.LabelTable is { } table)
        {
            g.Initializer.Add(FloatTensor("label.embedding", table, [net.ClassCount + 1, h]));
            var gather = Node("Gather", "label_embedding", ["label.embedding", OnnxNames.InputLabel], ["l_emb"]);
            gather.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
            g.Node.Add(gather);
            g.Node.Add(Node("Add", "embedding", ["t_emb", "l_emb"], ["emb"]));
            embedding = "emb";
        }
        if (net.Saturation is { } sat)
        {
            g.Initializer.Add(FloatTensor("activation.min", [0f], []));
            g.Initializer.Add(FloatTensor("activation.max", [sat], []));
        }

        string current = OnnxNames.InputX;
        for (int l = 0; l < net.Layers.Count; l++)
        {
            var layer = net.Layers[l];
            bool hidden = l < net.Layers.Count - 1;
            string p = $"layers.{l}";
            g.Initializer.Add(FloatTensor($"{p}.weight", Transpose(layer.Weights, layer.Outputs, layer.Inputs), [layer.Inputs, layer.Outputs]));
            g.Initializer.Add(FloatTensor($"{p}.bias", layer.Bias, [layer.Outputs]));
            g.Node.Add(Node("MatMul", $"{p}/matmul", [current, $"{p}.weight"], [$"{p}/mm"]));
            g.Node.Add(Node("Add", $"{p}/bias", [$"{p}/mm", $"{p}.bias"], [$"{p}/linear"]));
            if (hidden)
            {
                g.Node.Add(Node("Add", $"{p}/embedding", [$"{p}/linear", embedding], [$"{p}/pre"]));
                switch (net.Activation)
                {
                    case HiddenActivation.Relu:
                        g.Node.Add(net.Saturation is null
                            ? Node("Relu", $"{p}/relu", [$"{p}/pre"], [$"{p}/act"])
                            : Node("Clip", $"{p}/clip", [$"{p}/pre", "activation.min", "activation.max"], [$"{p}/act"]));
                        break;
                    case HiddenActivation.Silu: // as torch.onnx.export writes SiLU: x · sigmoid(x)
                        g.Node.Add(Node("Sigmoid", $"{p}/sigmoid", [$"{p}/pre"], [$"{p}/gate"]));
                        g.Node.Add(Node("Mul", $"{p}/silu", [$"{p}/pre", $"{p}/gate"], [$"{p}/act"]));
                        break;
                    case HiddenActivation.Gelu:
                        g.Node.Add(Node("Gelu", $"{p}/gelu", [$"{p}/pre"], [$"{p}/act"]));
                        break;
                    default:
                        g.Node.Add(Node("Tanh", $"{p}/tanh", [$"{p}/pre"], [$"{p}/act"]));
                        break;
                }
                current = $"{p}/act";
            }
            else
            {
                g.Initializer.Add(FloatTensor("output.gain", [net.OutputGain], []));
                g.Node.Add(Node("Mul", "output_gain", [$"{p}/linear", "output.gain"], [OnnxNames.OutputScore]));
            }
        }

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "memgrid",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = g,
            DocString = "Score network s(x, t[, label]) for score-based diffusion, exported by MemristorGrid.",
        };
        // Gelu is an ONNX op from opset 20 on; every other network keeps opset 17 (and its exported bytes).
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = net.Activation == HiddenActivation.Gelu ? 20 : OnnxNames.Opset });
        foreach (var (key, value) in MetadataProps(net)) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private static IEnumerable<(string, string)> MetadataProps(ScoreNetwork net)
    {
        var m = net.Metadata;
        string F(double v) => DiffusionMetadata.Format(v);
        yield return (OnnxNames.MetaFormat, "1");
        yield return (OnnxNames.MetaSde, m.SdeKind);
        if (m.SdeKind == "vp") { yield return (OnnxNames.MetaBetaMin, F(m.BetaMin)); yield return (OnnxNames.MetaBetaMax, F(m.BetaMax)); }
        else { yield return (OnnxNames.MetaSigmaMin, F(m.SigmaMin)); yield return (OnnxNames.MetaSigmaMax, F(m.SigmaMax)); }
        yield return (OnnxNames.MetaScheduleScale, F(m.SamplingScheduleScale));
        yield return (OnnxNames.MetaFrequencies, string.Join(",", net.TimeFrequencies.Select(F)));
        yield return (OnnxNames.MetaOutputGain, F(net.OutputGain));
        yield return (OnnxNames.MetaSaturation, net.Saturation is { } s ? F(s) : "none");
        // Comma-separated as always; a JSON array when a name holds a comma itself (the importer reads both).
        if (m.ClassNames.Count > 0)
            yield return (OnnxNames.MetaClassNames, m.ClassNames.Any(n => n.Contains(',')) ? System.Text.Json.JsonSerializer.Serialize(m.ClassNames) : string.Join(",", m.ClassNames));
        if (m.Task.Length > 0) yield return (OnnxNames.MetaTask, m.Task);
        if (m.TaskSha256.Length > 0) yield return (OnnxNames.MetaTaskSha256, m.TaskSha256);
        foreach (var (key, value) in m.Provenance.OrderBy(p => p.Key, StringComparer.Ordinal))
            yield return (OnnxNames.MetaProvenancePrefix + key, value);
    }

    /// <summary>[rows × cols] row-major → [cols × rows] row-major (ONNX MatMul stores [in, out]; our layers [out × in]).</summary>
    internal static float[] Transpose(float[] rowMajor, int rows, int cols)
    {
        var result = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                result[c * rows + r] = rowMajor[r * cols + c];
        return result;
    }
}
