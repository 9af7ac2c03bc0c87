namespace MemristorGrid.Engine.Networks;

/// <summary>A fully connected layer y = W·x + b with W stored row-major as [Outputs × Inputs].</summary>
public sealed class DenseLayer
{
    public DenseLayer(int inputs, int outputs, float[] weights, float[] bias)
    {
        if (weights.Length != inputs * outputs)
            throw new ArgumentException($"weights hold {weights.Length} values, expected {outputs}×{inputs}");
        if (bias.Length != outputs)
            throw new ArgumentException($"bias holds {bias.Length} values, expected {outputs}");
        Inputs = inputs;
        Outputs = outputs;
        Weights = weights;
        Bias = bias;
    }

    public int Inputs { get; }
    public int Outputs { get; }

    /// <summary>Row-major [Outputs × Inputs]: row o holds the weights into output o.</summary>
    public float[] Weights { get; }
    public float[] Bias { get; }

    public float Weight(int output, int input) => Weights[output * Inputs + input];
}
