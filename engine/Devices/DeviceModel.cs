using MemristorGrid.Engine.Devices.ProgrammingNoise;
using MemristorGrid.Engine.Profiles;
using MemristorGrid.Engine.Randomness;

namespace MemristorGrid.Engine.Devices;

/// <summary>
/// One RRAM device type: how a target conductance becomes a programmed one (level quantisation,
/// write noise, stuck-at faults), how it drifts with age, and how much it fluctuates per read.
/// Knows nothing of tiles: callers hand it a device index and the random streams to draw from.
/// Conductances are in siemens.
/// </summary>
public sealed class DeviceModel(DeviceParameters p)
{
    private readonly IProgrammingNoise _writeNoise = ProgrammingNoiseModels.For(p.ProgrammingNoise);

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
        double g = Math.Max(WriteNoise(NearestLevel(target), noise.Gaussian(device), uniforms.Uniform(2 * device)), 0);
        return Stuck(device, uniforms) ?? g;
    }

    /// <summary>Gmin or Gmax for a device stuck at a window end (uniform draw 2·device + 1), else null.</summary>
    private double? Stuck(ulong device, in CounterRng uniforms)
    {
        double u = uniforms.NextUInt(2 * device + 1) * (1.0 / 4294967296.0);
        if (u < p.StuckAtGminRate) return GMin;
        if (u < p.StuckAtGminRate + p.StuckAtGmaxRate) return GMax;
        return null;
    }

    /// <summary>One write of level <paramref name="g"/> with the device's write noise, from a standard normal and a uniform draw.</summary>
    private double WriteNoise(double g, double gaussian, double uniform) => _writeNoise.Write(g, gaussian, uniform);

    /// <summary>What programming one device cost and left: its conductance, pulses, whether it verified, energy and time.</summary>
    public readonly record struct WriteOutcome(double Conductance, int Pulses, bool Verified, double EnergyJoules, double Seconds);

    /// <summary>The random streams of a tile's programming, all under its chip seed.</summary>
    public readonly record struct ProgrammingDraws(CounterRng Noise, CounterRng Uniforms, CounterRng Pulses, CounterRng Redraws, CounterRng Reads, CounterRng Relaxation)
    {
        public static ProgrammingDraws For(ulong chipSeed, ulong tileKey) => new(
            Streams.Rng(chipSeed, StreamPurpose.ProgrammingNoise, tileKey), Streams.Rng(chipSeed, StreamPurpose.StuckAt, tileKey),
            Streams.Rng(chipSeed, StreamPurpose.WriteVerifyPulse, tileKey), Streams.Rng(chipSeed, StreamPurpose.WriteVerifyRedraw, tileKey),
            Streams.Rng(chipSeed, StreamPurpose.VerifyRead, tileKey), Streams.Rng(chipSeed, StreamPurpose.Relaxation, tileKey));
    }

    /// <summary>
    /// Programs device <paramref name="device"/> to <paramref name="target"/>: one unverified write (<see cref="Program"/>)
    /// without <c>write_verify</c>; else pulses until a verify read lands within the tolerance of the
    /// nearest level or the pulse budget runs out (pulse k draws Gaussian and uniform device·budget + k),
    /// then relaxation. A stuck device takes no write: it fails verification unless its end is within tolerance.
    /// </summary>
    public WriteOutcome Write(double target, ulong device, in ProgrammingDraws draws)
    {
        if (p.WriteVerify is not { } wv) return new WriteOutcome(Program(target, device, draws.Noise, draws.Uniforms), 1, false, 0, 0);
        double level = NearestLevel(target), tolerance = wv.ToleranceMicrosiemens * 1e-6;
        double readSigma = p.ReadNoiseSigma / Math.Sqrt(wv.VerifyReads);
        double? stuck = Stuck(device, draws.Uniforms);
        double g = stuck ?? GMin, energy = 0;
        int pulses = 0;
        bool verified = false;
        ulong first = device * (ulong)wv.MaxPulses;
        while (pulses < wv.MaxPulses && !verified)
        {
            ulong k = first + (ulong)pulses;
            double volts = Math.Min(wv.PulseVoltsStart + pulses * wv.PulseVoltsStep, wv.PulseVoltsMax);
            if (stuck is null) g = Math.Max(WriteNoise(level, draws.Pulses.Gaussian(k), draws.Redraws.Uniform(k)), 0);
            pulses++;
            double read = g * (1 + readSigma * draws.Reads.Gaussian(k));
            energy += volts * volts * g * wv.PulseSeconds + wv.VerifyReadVolts * wv.VerifyReadVolts * g * wv.VerifySeconds;
            verified = Math.Abs(read - level) <= tolerance;
        }
        if (stuck is null) g = Math.Max(g + wv.RelaxationSigma(g * 1e6) * 1e-6 * draws.Relaxation.Gaussian(device), 0);
        return new WriteOutcome(g, pulses, verified, energy, pulses * (wv.PulseSeconds + wv.VerifySeconds));
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
