using MemristorGrid.Engine.Circuits;
using MemristorGrid.Engine.Digital;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Onnx;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Tests;

/// <summary>SiLU, GELU and Tanh hidden layers: exported as PyTorch writes them, read back, run by ONNX Runtime and the engine alike.</summary>
public class ActivationTests
{
    private static ScoreNetwork With(HiddenActivation kind, int classes = 0)
    {
        var net = TestNetworks.Inference(2, 14, 2, classes, seed: 4);
        return new ScoreNetwork(net.Layers, net.AngularFrequencies, net.LabelTable, null, net.OutputGain, net.Metadata, kind);
    }

    [Theory]
    [InlineData(HiddenActivation.Silu, 0)]
    [InlineData(HiddenActivation.Gelu, 3)]
    [InlineData(HiddenActivation.Tanh, 0)]
    public void Onnx_runtime_the_engine_and_a_round_trip_agree(HiddenActivation kind, int classes)
    {
        var net = With(kind, classes);
        byte[] bytes = OnnxExporter.ToBytes(net);
        var back = OnnxImporter.FromBytes(bytes, "act.onnx");
        Assert.Equal(kind, back.Activation);
        Assert.Equal(bytes, OnnxExporter.ToBytes(back));

        var (x, t, labels) = TestNetworks.Inputs(200, 2, classes, seed: 3);
        var engine = new float[x.Length];
        var ort = new float[x.Length];
        new NetworkScoreModel(back).Evaluate(x, t, labels, engine);
        using (var runtime = new OnnxRuntimeScoreModel(bytes, back)) runtime.Evaluate(x, t, labels, ort);
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(engine[i] - ort[i]) <= 1e-4f * Math.Max(1f, Math.Abs(ort[i])), $"{kind} [{i}]: engine {engine[i]}, ORT {ort[i]}");

        // A ReLU network is a different function: the activation really is applied.
        var relu = new float[x.Length];
        new NetworkScoreModel(TestNetworks.Inference(2, 14, 2, classes, seed: 4)).Evaluate(x, t, labels, relu);
        Assert.NotEqual(relu, engine);
    }

    [Fact]
    public void The_activation_circuit_applies_the_networks_curve_within_its_rails()
    {
        var profile = HardwareProfile.Resolve("ideal") with { Activation = HardwareProfile.Resolve("ideal").Activation with { SaturationVolts = 0.05 } }; // 0.5 units
        var circuit = new ActivationCircuit(With(HiddenActivation.Tanh), profile);
        Span<float> pre = [0.1f, -0.3f, 2f, -2f];
        circuit.Apply(pre, [0f, 0f, 0f, 0f]);
        Assert.Equal(MathF.Tanh(0.1f), pre[0], 6);
        Assert.Equal(MathF.Tanh(-0.3f), pre[1], 6);
        Assert.Equal(0.5f, pre[2], 6);   // tanh(2) = 0.96 beyond the +0.5 rail
        Assert.Equal(-0.5f, pre[3], 6);  // and the −0.5 rail
        Assert.Equal(0.5 * 1.0 * (1 + SpecialFunctions.Erf(1 / Math.Sqrt(2))), HiddenActivation.Gelu.Apply(1f), 5);
        Assert.Equal(1 / (1 + Math.Exp(-1.0)), HiddenActivation.Silu.Apply(1f), 5);
    }
}
