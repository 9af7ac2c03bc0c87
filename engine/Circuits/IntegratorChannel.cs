using System.Runtime.CompilerServices;
using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Circuits;

/// <summary>
/// The integrator channels that close the loop, one per output dimension: each integrates
/// −(f·x − c·g²·score) plus its input offset, minus its leak x/A (finite op-amp gain), with the score
/// arriving through an ADC where it crosses a chip; its output stops at the rails; the SDE's noise is
/// injected at amplitude √β·scale (textbook) or β·scale (the paper's board).
/// </summary>
public sealed class IntegratorChannel
{
    private readonly double[] _offsets;
    private readonly double _leak;
    private readonly double _rail;
    private readonly Quantizer _adc;
    private readonly bool[] _digitised;
    private readonly bool _anyDigitised;
    private readonly IntegratorParameters _p;

    /// <param name="digitisedInputs">Per channel: whether its score input crosses a chip (ADC → link).</param>
    /// <param name="chipSeed">Draws the channels' random offsets: a property of the chip.</param>
    public IntegratorChannel(HardwareProfile profile, bool[] digitisedInputs, ulong chipSeed)
    {
        _p = profile.Integrator;
        double vpu = profile.Signal.VoltsPerUnit;
        int dim = digitisedInputs.Length;
        var offsetRng = Streams.Rng(chipSeed, StreamPurpose.IntegratorOffset);
        _offsets = new double[dim];
        for (int d = 0; d < dim; d++)
        {
            double fixedVolts = _p.OffsetsVolts.Length > 0 ? _p.OffsetsVolts[d % _p.OffsetsVolts.Length] : 0;
            _offsets[d] = (fixedVolts + _p.OffsetSigmaVolts * offsetRng.Gaussian((ulong)d)) / vpu;
        }
        _leak = _p.OpampGain is { } gain ? 1.0 / gain : 0;
        _rail = _p.SaturationVolts is { } rail ? rail / vpu : double.PositiveInfinity;
        _adc = Converters.Adc(profile);
        _digitised = digitisedInputs;
        _anyDigitised = digitisedInputs.Contains(true);
    }

    public int Channels => _offsets.Length;

    /// <summary>Each channel's input offset u_off in units (the chip's draw plus any deliberate offset).</summary>
    public IReadOnlyList<double> OffsetUnits => _offsets;

    /// <summary>
    /// dx/ds of one sample's channels given the drift f, the score gain c·g² and its score; returns how
    /// many score values the ADC clipped at its full scale (channels whose score arrives from another chip).
    /// </summary>
    public int Derivative(ReadOnlySpan<double> x, ReadOnlySpan<float> score, double drift, double scoreGain, Span<double> dx)
    {
        int overflows = 0;
        for (int j = 0; j < _offsets.Length; j++)
        {
            double s = score[j];
            if (_digitised[j])
            {
                s = _adc.Apply(score[j], out bool over);
                if (over) overflows++;
            }
            dx[j] = Rate(j, x[j], s, drift, scoreGain);
        }
        return overflows;
    }

    /// <summary>dx/ds of channel j: the loop's drift and score terms, the channel's offset and its leak.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Rate(int j, double x, double score, double drift, double scoreGain) => -(drift * x - scoreGain * score) + _offsets[j] - _leak * x;

    /// <summary>
    /// <see cref="Derivative"/> for a batch: sample a of the batch is sample <paramref name="active"/>[a] of the
    /// lane (the identity when <paramref name="whole"/>), with its drift, score gain and score row a; its
    /// state and dx/ds are rows of the lane's arrays. The same arithmetic in one loop, rather than a call
    /// and three slices per sample.
    /// </summary>
    public int Derivatives(ReadOnlySpan<int> active, int count, bool whole, ReadOnlySpan<double> x, ReadOnlySpan<float> score,
        ReadOnlySpan<double> drift, ReadOnlySpan<double> scoreGain, Span<double> dx)
    {
        int d = _offsets.Length;
        if (_anyDigitised)
        {
            int overflows = 0;
            for (int a = 0; a < count; a++)
            {
                int i = whole ? a : active[a];
                overflows += Derivative(x.Slice(i * d, d), score.Slice(a * d, d), drift[a], scoreGain[a], dx.Slice(i * d, d));
            }
            return overflows;
        }
        for (int a = 0; a < count; a++)
        {
            int i = whole ? a : active[a];
            double f = drift[a], gain = scoreGain[a];
            for (int j = 0; j < d; j++) dx[i * d + j] = Rate(j, x[i * d + j], score[a * d + j], f, gain);
        }
        return 0;
    }

    /// <summary>Whether the outputs saturate (a finite rail).</summary>
    public bool HasRails => !double.IsPositiveInfinity(_rail);

    /// <summary>Clamps every output to the rails; returns how many were clamped.</summary>
    public int ClampToRails(Span<double> x)
    {
        if (double.IsPositiveInfinity(_rail)) return 0;
        int clipped = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > _rail) { x[i] = _rail; clipped++; }
            else if (x[i] < -_rail) { x[i] = -_rail; clipped++; }
        }
        return clipped;
    }

    /// <summary>Amplitude a(τ) of the injected noise: dx = … + a(τ) dW.</summary>
    public double NoiseAmplitude(DiffusionSde sde, double tau)
    {
        if (_p.NoiseScaling == NoiseScaling.Beta) return _p.NoiseScale * sde.DiffusionSquared(tau);
        return _p.NoiseScale * sde.Diffusion(tau);
    }
}
