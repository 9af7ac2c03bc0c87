using MemristorGrid.Engine.Diffusion;
using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Circuits;

/// <summary>
/// The controller's coefficient DACs: the integrator's drift f(τ) and score gain c·g²(τ) (c = ½ for the
/// probability-flow ODE, 1 for the reverse SDE), quantised over the largest value of the run. The same
/// for every network, the paper's MLP or a U-Net.
/// </summary>
public sealed class LoopCoefficients
{
    private readonly DiffusionSde _sde;
    private readonly Quantizer _driftDac, _scoreDac;
    private readonly double _scoreCoefficient;

    public LoopCoefficients(DiffusionSde samplingSde, HardwareProfile profile, SamplerKind kind, double startTime, double endTime)
    {
        _sde = samplingSde;
        _scoreCoefficient = kind == SamplerKind.Sde ? 1.0 : 0.5;
        int bits = profile.Controller.CoefficientDacBits;
        // The DACs span the largest value of the run (both ends suffice: f and g² are monotonic in τ for VP and VE).
        double fMax = Math.Max(Math.Abs(samplingSde.DriftCoefficient(startTime)), Math.Abs(samplingSde.DriftCoefficient(endTime)));
        double gMax = _scoreCoefficient * Math.Max(Math.Abs(samplingSde.DiffusionSquared(startTime)), Math.Abs(samplingSde.DiffusionSquared(endTime)));
        _driftDac = bits == 0 || fMax == 0 ? Quantizer.Ideal : new Quantizer(bits, (float)fMax);
        _scoreDac = bits == 0 || gMax == 0 ? Quantizer.Ideal : new Quantizer(bits, (float)gMax);
    }

    /// <summary>(f, c·g²) at τ as the coefficient DACs deliver them.</summary>
    public (double Drift, double ScoreGain) At(double tau)
    {
        var (f, g2) = _sde.ReverseSdeCoefficients(tau);
        return (_driftDac.Apply(f), _scoreDac.Apply(_scoreCoefficient * g2));
    }

    /// <summary><see cref="At"/> for every τ of <paramref name="taus"/>, with the same bits. A lane asks at every stage for each
    /// sample's own time; one loop over a VP schedule (the sealed type, so its coefficients inline) saves the per-sample
    /// virtual calls, which cost a 2-D model more than its converters.</summary>
    public void At(ReadOnlySpan<double> taus, Span<double> drift, Span<double> scoreGain)
    {
        if (drift.Length < taus.Length || scoreGain.Length < taus.Length) throw new ArgumentException("coefficient outputs shorter than the times");
        Quantizer driftDac = _driftDac, scoreDac = _scoreDac;
        double c = _scoreCoefficient;
        if (_sde is VpSde vp)
            for (int i = 0; i < taus.Length; i++)
            {
                double f = vp.DriftCoefficient(taus[i]), g2 = vp.DiffusionSquared(taus[i]);
                drift[i] = driftDac.Apply(f);
                scoreGain[i] = scoreDac.Apply(c * g2);
            }
        else
            for (int i = 0; i < taus.Length; i++) (drift[i], scoreGain[i]) = At(taus[i]);
    }
}
