using MemristorGrid.Engine.Kernels;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Circuits;

/// <summary>
/// The circuit after every hidden layer: adds the embedding DAC voltages to the summed tile outputs
/// and applies ReLU, saturating at the lower of the network's trained saturation and the circuit's rail.
/// For a network with a smooth activation (SiLU, GELU, Tanh) the transfer curve is that function itself
/// and the output is clamped to ±rail (an assumption: no published circuit for these is modelled).
/// </summary>
public sealed class ActivationCircuit(ScoreNetwork network, HardwareProfile profile)
{
    /// <summary>Upper rail in network units (+∞ when neither the network nor the circuit saturates).</summary>
    private readonly HiddenActivation _kind = network.Activation;

    public float Rail { get; } = MathF.Min(network.Saturation ?? float.PositiveInfinity, Converters.Rail(profile.Activation.SaturationVolts, profile));

    /// <summary>pre ← clamp(pre + embedding, 0, rail), one sample's hidden channels.</summary>
    public void Apply(Span<float> pre, ReadOnlySpan<float> embedding)
    {
        float rail = Rail;
        if (_kind == HiddenActivation.Relu) Relu.AddClamp(pre, embedding, rail);
        else
            for (int j = 0; j < pre.Length; j++) pre[j] = Math.Clamp(_kind.Apply(pre[j] + embedding[j]), -rail, rail);
    }

    /// <summary>A batch of <paramref name="n"/> samples' hidden channels [n × width]: sample i takes row
    /// <paramref name="rows"/>[i] of <paramref name="table"/>. When every sample has its own row in order
    /// (a live controller's embeddings) the batch is one pass; the same bits as <see cref="Apply"/> per sample.</summary>
    public void ApplyBatch(Span<float> pre, int width, int n, ReadOnlySpan<float> table, ReadOnlySpan<int> rows)
    {
        if (table.Length >= n * width && IsIdentity(rows[..n]))
        {
            Apply(pre[..(n * width)], table[..(n * width)]);
            return;
        }
        if (_kind == HiddenActivation.Relu) Relu.AddClampRows(pre, width, table, rows[..n], Rail);
        else
            for (int i = 0; i < n; i++) Apply(pre.Slice(i * width, width), table.Slice(rows[i] * width, width));
    }

    private static bool IsIdentity(ReadOnlySpan<int> rows)
    {
        for (int i = 0; i < rows.Length; i++)
            if (rows[i] != i) return false;
        return true;
    }
}
