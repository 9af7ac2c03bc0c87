namespace MemristorGrid.Engine.Kernels;

/// <summary>
/// A k × m matrix (k inputs, m outputs) packed for <see cref="Gemm"/>: column panels of
/// <see cref="PanelWidth"/> outputs, each stored input row after input row ([k × 16] contiguous), the
/// last panel zero-padded. The kernel then streams one panel sequentially while it broadcasts inputs,
/// which is what keeps the FMA units fed instead of one dot product per (sample, output).
/// </summary>
public sealed class PackedMatrix
{
    public const int PanelWidth = 16;

    private PackedMatrix(int inputs, int outputs, float[] data)
    {
        Inputs = inputs;
        Outputs = outputs;
        Data = data;
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public int Panels => (Outputs + PanelWidth - 1) / PanelWidth;

    /// <summary>Panel p, element (r, j) — input r, output 16p + j — at p·k·16 + r·16 + j.</summary>
    internal float[] Data { get; }

    /// <summary>Packs a [inputs × outputs] row-major matrix (one row per input, as conductances and dense layers are kept).</summary>
    public static PackedMatrix FromInputRows(ReadOnlySpan<float> byInput, int inputs, int outputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        if (byInput.Length != inputs * outputs) throw new ArgumentException($"expected {inputs} × {outputs} values, got {byInput.Length}");
        int panels = (outputs + PanelWidth - 1) / PanelWidth;
        var data = new float[(long)panels * inputs * PanelWidth];
        for (int p = 0; p < panels; p++)
        {
            int width = Math.Min(PanelWidth, outputs - p * PanelWidth);
            for (int r = 0; r < inputs; r++)
                byInput.Slice(r * outputs + p * PanelWidth, width).CopyTo(data.AsSpan((int)(((long)p * inputs + r) * PanelWidth), width));
        }
        return new PackedMatrix(inputs, outputs, data);
    }
}
