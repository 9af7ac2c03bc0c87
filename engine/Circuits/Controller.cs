using System.Numerics.Tensors;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Networks;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Circuits;

/// <summary>
/// What the controller drives into the analog loop at diffusion time τ: the embedding DAC voltages
/// (time embedding sin/cos(2πωτ) plus the class embedding from the label encoder, one DAC per hidden
/// channel, in network units, quantised and clamped at full scale), and the coefficient DACs that set
/// the integrator's drift f(τ) and score gain c·g²(τ) (c = ½ for the probability-flow ODE, 1 for the
/// reverse SDE).
/// </summary>
public sealed class Controller
{
    private readonly ScoreNetwork _network;
    private readonly Quantizer _embeddingDac;
    private readonly LoopCoefficients _coefficients;
    private readonly float[]? _labelTable;

    /// <param name="labels">The label encoder (required for a conditional network): its table of class embeddings.</param>
    public Controller(ScoreNetwork network, DiffusionSde samplingSde, HardwareProfile profile, SamplerKind kind, double startTime, double endTime,
        LabelEncoder? labels)
    {
        _network = network;
        if (network.IsConditional && labels is null) throw new ArgumentException("a conditional network needs its label encoder");
        _labelTable = network.IsConditional ? labels!.Table : null;
        if (_labelTable is not null && _labelTable.Length != (network.ClassCount + 1) * network.HiddenWidth)
            throw new ArgumentException($"label table holds {_labelTable.Length} values, the network expects {(network.ClassCount + 1) * network.HiddenWidth}");
        _embeddingDac = Converters.EmbeddingDac(profile);
        _coefficients = new LoopCoefficients(samplingSde, profile, kind, startTime, endTime);
        Rows = network.IsConditional ? network.ClassCount + 1 : 1;
    }


    /// <summary>Rows of the embedding table: one per class plus the null label, or one for an unconditional model.</summary>
    public int Rows { get; }
    public int Width => _network.HiddenWidth;

    /// <summary>Integrator coefficients at τ: (f, c·g²) as the coefficient DACs deliver them.</summary>
    public (double Drift, double ScoreGain) Coefficients(double tau) => _coefficients.At(tau);

    /// <summary><see cref="Coefficients(double)"/> at every τ of <paramref name="taus"/>, in one loop (the same bits).</summary>
    public void Coefficients(ReadOnlySpan<double> taus, Span<double> drift, Span<double> scoreGain) => _coefficients.At(taus, drift, scoreGain);

    /// <summary>One label row's DAC outputs at τ (the time embedding plus the class embedding, quantised) into <paramref name="into"/> [H].</summary>
    public void EmbeddingAt(double tau, int row, Span<float> into) => EmbeddingsAt([(float)tau], [row], into[..Width]);

    /// <summary>For every sample i, label row <paramref name="rows"/>[i]'s DAC outputs at τ = <paramref name="taus"/>[i]
    /// into <paramref name="into"/> [n × H]: the same bits as <see cref="EmbeddingAt"/> one sample at a time.</summary>
    public void EmbeddingsAt(ReadOnlySpan<float> taus, ReadOnlySpan<int> rows, Span<float> into)
    {
        int h = Width, n = taus.Length;
        _network.TimeEmbedding(taus, into[..(n * h)]);
        if (_labelTable is { } labels)
            for (int i = 0; i < n; i++)
            {
                var r = into.Slice(i * h, h);
                TensorPrimitives.Add(r, labels.AsSpan(rows[i] * h, h), r);
            }
        _embeddingDac.Apply(into[..(n * h)]);
    }

    /// <summary>
    /// Fills <paramref name="table"/> [Rows × H] with the DAC outputs at τ for every label row, and
    /// <paramref name="clippedPerRow"/> [Rows] with how many of each row's channel values were clipped at full scale.
    /// </summary>
    public void Embeddings(double tau, Span<float> table, Span<int> clippedPerRow)
    {
        int h = Width;
        Span<float> t = [(float)tau];
        _network.TimeEmbedding(t, table[..h]);
        for (int row = 1; row < Rows; row++) table[..h].CopyTo(table.Slice(row * h, h));
        for (int row = 0; row < Rows; row++)
        {
            var r = table.Slice(row * h, h);
            if (_labelTable is { } labels)
                for (int j = 0; j < h; j++) r[j] += labels[row * h + j];
            clippedPerRow[row] = _embeddingDac.Apply(r);
        }
    }
}
