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

    /// <summary>What programming one device cost and left: its conductance, pulses, whether it verified, energy and time,
    /// whether it was an "off" device RESET below G_min, and the programming rounds it took.</summary>
    public readonly record struct WriteOutcome(double Conductance, int Pulses, bool Verified, double EnergyJoules, double Seconds, bool Off = false, int Rounds = 1);

    /// <summary>The random streams of a tile's programming, all under its chip seed; a re-programming round r ≥ 1 draws
    /// from the same purposes keyed by r as well (round 0's keys are the first programming's).</summary>
    public readonly record struct ProgrammingDraws(CounterRng Noise, CounterRng Uniforms, CounterRng Pulses, CounterRng Redraws, CounterRng Reads,
        CounterRng Relaxation, CounterRng CheckReads, ulong ChipSeed, ulong TileKey)
    {
        public static ProgrammingDraws For(ulong chipSeed, ulong tileKey, int round = 0) => new(
            Streams.Rng(chipSeed, StreamPurpose.ProgrammingNoise, tileKey), Streams.Rng(chipSeed, StreamPurpose.StuckAt, tileKey),
            Streams.Rng(chipSeed, StreamPurpose.WriteVerifyPulse, tileKey, (ulong)round), Streams.Rng(chipSeed, StreamPurpose.WriteVerifyRedraw, tileKey, (ulong)round),
            Streams.Rng(chipSeed, StreamPurpose.VerifyRead, tileKey, (ulong)round), Streams.Rng(chipSeed, StreamPurpose.Relaxation, tileKey, (ulong)round),
            Streams.Rng(chipSeed, StreamPurpose.ReprogramCheckRead, tileKey, (ulong)round), chipSeed, tileKey);

        /// <summary>The draws of re-programming round <paramref name="round"/>.</summary>
        public ProgrammingDraws Round(int round) => For(ChipSeed, TileKey, round);
    }

    /// <summary>
    /// Programs device <paramref name="device"/> to <paramref name="target"/>: one unverified write (<see cref="Program"/>)
    /// without <c>write_verify</c>; else pulses until a verify read lands within the tolerance of the nearest level or the
    /// pulse budget runs out (pulse k draws Gaussian and uniform device·budget + k), then relaxation. With
    /// <c>off_state: reset-below-gmin</c> a device whose level is G_min is an "off" device, RESET until a verify read is
    /// below G_min and not relaxed (the relaxation fit has no data there). With <c>rounds</c> &gt; 1, each later round reads
    /// every relaxed device once and programs again (and relaxes again) those outside the tolerance, as NeuRRAM's
    /// <c>program_array(num_epoch)</c> does. A stuck device takes no write: it fails verification unless its end is within tolerance.
    /// </summary>
    public WriteOutcome Write(double target, ulong device, in ProgrammingDraws draws)
    {
        if (p.WriteVerify is not { } wv) return new WriteOutcome(Program(target, device, draws.Noise, draws.Uniforms), 1, false, 0, 0);
        double level = NearestLevel(target), tolerance = wv.ToleranceMicrosiemens * 1e-6;
        double readSigma = p.ReadNoiseSigma / Math.Sqrt(wv.VerifyReads);
        double? stuck = Stuck(device, draws.Uniforms);
        bool off = stuck is null && wv.OffState == OffState.ResetBelowGmin && level <= GMin;
        var (g, pulses, verified, energy) = Pulses(level, off, stuck, device, draws, wv, readSigma);
        if (stuck is null && !off) g = Relax(g, device, draws, wv);
        double seconds = pulses * (wv.PulseSeconds + wv.VerifySeconds);
        int rounds = 1;
        for (int round = 1; round < wv.Rounds && stuck is null && !off; round++)
        {
            var again = draws.Round(round);
            double read = g * (1 + readSigma * again.CheckReads.Gaussian(device));
            energy += wv.VerifyReadVolts * wv.VerifyReadVolts * g * wv.VerifySeconds;
            seconds += wv.VerifySeconds;
            if (Math.Abs(read - level) <= tolerance) break;
            rounds++;
            var (next, more, ok, spent) = Pulses(level, false, null, device, again, wv, readSigma);
            g = Relax(next, device, again, wv);
            pulses += more;
            verified = ok;
            energy += spent;
            seconds += more * (wv.PulseSeconds + wv.VerifySeconds);
        }
        return new WriteOutcome(g, pulses, verified, energy, seconds, off, rounds);
    }

    /// <summary>Pulses until a verify read accepts (within ±tolerance of the level, or below G_min for an off device) or the budget runs out.</summary>
    private (double G, int Pulses, bool Verified, double EnergyJoules) Pulses(double level, bool off, double? stuck, ulong device, in ProgrammingDraws draws,
        WriteVerifyParameters wv, double readSigma)
    {
        double tolerance = wv.ToleranceMicrosiemens * 1e-6, g = stuck ?? GMin, energy = 0;
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
            verified = off ? read < GMin : Math.Abs(read - level) <= tolerance;
        }
        return (g, pulses, verified, energy);
    }

    private static double Relax(double g, ulong device, in ProgrammingDraws draws, WriteVerifyParameters wv) =>
        Math.Max(g + wv.RelaxationSigma(g * 1e6) * 1e-6 * draws.Relaxation.Gaussian(device), 0);

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
