using MemristorGrid.Engine.Randomness;

using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Devices;

/// <summary>
/// One RRAM device type: how a target conductance becomes a programmed one (level quantisation,
/// write noise, stuck-at faults), how it drifts with age, and how much it fluctuates per read.
/// Knows nothing of tiles: callers hand it a device index and the random streams to draw from.
/// Conductances are in siemens.
/// </summary>
public sealed class DeviceModel(DeviceParameters p)
{
    public double GMin { get; } = p.GMinMicrosiemens * 1e-6;
    public double GMax { get; } = p.GMaxMicrosiemens * 1e-6;
    public double Window => GMax - GMin;
    public DeviceParameters Parameters => p;

    /// <summary>The nearest programmable level to <paramref name="target"/> (clamped to the window).</summary>
    public double NearestLevel(double target)
    {
        double g = Math.Clamp(target, GMin, GMax);
        if (p.Levels is not { } levels) return g;
        double step = Window / (levels - 1);
        return GMin + Math.Round((g - GMin) / step) * step;
    }

    /// <summary>
    /// The conductance device <paramref name="device"/> ends up with after programming to
    /// <paramref name="target"/>: nearest level, write noise, then stuck-at faults (a stuck device ignores
    /// programming). <paramref name="noise"/> supplies Gaussian draw <c>device</c> and
    /// <paramref name="uniforms"/> the uniform draws 2·device and 2·device + 1.
    /// </summary>
    public double Program(double target, ulong device, in CounterRng noise, in CounterRng uniforms)
    {
        double g = NearestLevel(target);
        var pn = p.ProgrammingNoise;
        switch (pn.Model)
        {
            case ProgrammingNoiseModel.TruncatedMultiplicative when pn.Sigma > 0:
                {
                    double eps = pn.Sigma * noise.Gaussian(device);
                    if (Math.Abs(eps) >= pn.Truncation) eps = pn.Truncation * (2 * uniforms.Uniform(2 * device) - 1);
                    g *= 1 + eps;
                    break;
                }
            case ProgrammingNoiseModel.GaussianProportional when pn.Sigma > 0:
                g *= 1 + pn.Sigma * noise.Gaussian(device);
                break;
            case ProgrammingNoiseModel.RramFit:
                {
                    double sigma = Math.Max(0, pn.FitInterceptMicrosiemens * 1e-6 + pn.FitSlope * g);
                    g += sigma * noise.Gaussian(device);
                    break;
                }
        }
        g = Math.Max(g, 0);
        double u = uniforms.NextUInt(2 * device + 1) * (1.0 / 4294967296.0);
        if (u < p.StuckAtGminRate) g = GMin;
        else if (u < p.StuckAtGminRate + p.StuckAtGmaxRate) g = GMax;
        return g;
    }

    /// <summary>G·(t/t₀)^−ν at device age <paramref name="ageSeconds"/> (no drift before t₀); the
    /// device's own ν is nu + nu_sigma·<paramref name="nuDraw"/>, floored at 0.</summary>
    public double Drift(double g, double ageSeconds, double nuDraw)
    {
        double nu = Math.Max(0, p.Drift.Nu + p.Drift.NuSigma * nuDraw);
        if (nu == 0 || ageSeconds <= p.Drift.T0Seconds) return g;
        return g * Math.Pow(ageSeconds / p.Drift.T0Seconds, -nu);
    }

    /// <summary>Read-out gain that undoes the mean drift when compensation is on (1 otherwise).</summary>
    public double DriftCompensation(double ageSeconds) =>
        p.Drift.Compensated && ageSeconds > p.Drift.T0Seconds ? Math.Pow(ageSeconds / p.Drift.T0Seconds, p.Drift.Nu) : 1.0;
}
