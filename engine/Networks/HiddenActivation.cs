namespace MemristorGrid.Engine.Networks;

/// <summary>The hidden layers' activation: the paper's ReLU, or the smooth ones diffusion models commonly use.</summary>
public enum HiddenActivation { Relu, Silu, Gelu, Tanh }

public static class HiddenActivations
{
    /// <summary>The activation of one pre-activation value (GELU exact, with erf, as ONNX's Gelu without approximation).</summary>
    public static float Apply(this HiddenActivation kind, float x) => kind switch
    {
        HiddenActivation.Relu => MathF.Max(x, 0f),
        HiddenActivation.Silu => x / (1f + MathF.Exp(-x)),
        HiddenActivation.Gelu => (float)(0.5 * x * (1 + SpecialFunctions.Erf(x / Math.Sqrt(2)))),
        HiddenActivation.Tanh => MathF.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The ONNX op the exporter writes and the importer reads for each (SiLU is Sigmoid then Mul).</summary>
    public static string OnnxName(this HiddenActivation kind) => kind switch
    {
        HiddenActivation.Relu => "Relu",
        HiddenActivation.Silu => "Sigmoid·Mul",
        HiddenActivation.Gelu => "Gelu",
        _ => "Tanh",
    };
}
