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

    /// <summary>Packs a matrix given element by element: <paramref name="at"/>(input r, output c).</summary>
    public static PackedMatrix Create(int inputs, int outputs, Func<int, int, float> at)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        int panels = (outputs + PanelWidth - 1) / PanelWidth;
        var data = new float[(long)panels * inputs * PanelWidth];
        for (int p = 0; p < panels; p++)
            for (int r = 0; r < inputs; r++)
                for (int j = 0; j < PanelWidth; j++)
                {
                    int c = p * PanelWidth + j;
                    data[((long)p * inputs + r) * PanelWidth + j] = c < outputs ? at(r, c) : 0f;
                }
        return new PackedMatrix(inputs, outputs, data);
    }

    /// <summary>From a [outputs × inputs] row-major array (one row of weights per output, as a tile keeps them).</summary>
    public static PackedMatrix FromOutputRows(ReadOnlySpan<float> byOutput, int inputs, int outputs)
    {
        if (byOutput.Length < inputs * outputs) throw new ArgumentException($"expected {outputs} × {inputs} values, got {byOutput.Length}");
        var copy = byOutput[..(inputs * outputs)].ToArray();
        return Create(inputs, outputs, (r, c) => copy[c * inputs + r]);
    }

    /// <summary>From a [inputs × outputs] row-major array (one row per input, as a dense layer's W is kept).</summary>
    public static PackedMatrix FromInputRows(ReadOnlySpan<float> byInput, int inputs, int outputs)
    {
        if (byInput.Length < inputs * outputs) throw new ArgumentException($"expected {inputs} × {outputs} values, got {byInput.Length}");
        var copy = byInput[..(inputs * outputs)].ToArray();
        return Create(inputs, outputs, (r, c) => copy[r * outputs + c]);
    }
}
