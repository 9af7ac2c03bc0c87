namespace MemristorGrid.Engine.Training;

/// <summary>One training batch, already perturbed: x_t = m(t)·x₀ + σ(t)·z.</summary>
public sealed class DsmBatch(int capacity, int dim)
{
    public int Count { get; set; }
    public double[] Xt { get; } = new double[capacity * dim];
    public double[] T { get; } = new double[capacity];
    public double[] Sigma { get; } = new double[capacity];
    public double[] Z { get; } = new double[capacity * dim];

    /// <summary>Label per sample; the class count means the null label (dropped for guidance).</summary>
    public int[] Labels { get; } = new int[capacity];
}
