using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

public sealed record ProgrammingNoiseParameters
{
    /// <summary>The write-noise model by name (<see cref="Devices.ProgrammingNoise.ProgrammingNoiseModels"/>: one class each).</summary>
    public string Model { get; init; } = "none";

    /// <summary>Relative σ for the multiplicative and proportional models: G·(1 + ε), ε ~ N(0, σ²).</summary>
    public double Sigma { get; init; }

    /// <summary>Truncated-multiplicative only: draws with |ε| ≥ truncation are redrawn uniformly in [−truncation, truncation].</summary>
    public double Truncation { get; init; }

    /// <summary>RRAM fit only: σ_G = intercept + slope·G (µS), clamped at 0.</summary>
    public double FitInterceptMicrosiemens { get; init; }
    public double FitSlope { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (!NonNegative(Sigma)) yield return "device.programming_noise.sigma must be ≥ 0";
        if (!NonNegative(Truncation)) yield return "device.programming_noise.truncation must be ≥ 0";
        if (Devices.ProgrammingNoise.ProgrammingNoiseModels.Unknown(Model) is { } unknown) yield return unknown;
        else
            foreach (var problem in Devices.ProgrammingNoise.ProgrammingNoiseModels.For(this).Problems()) yield return problem;
        if (!NonNegative(FitInterceptMicrosiemens)) yield return "device.programming_noise.fit_intercept_microsiemens must be ≥ 0";
        if (!double.IsFinite(FitSlope)) yield return "device.programming_noise.fit_slope must be finite";
    }
}

public sealed record DriftParameters
{
    /// <summary>Drift exponent ν in G(t) = G₀·(t/t₀)^−ν.</summary>
    public double Nu { get; init; }

    /// <summary>Device-to-device spread of ν (each device draws ν ~ N(nu, nu_sigma²), floored at 0).</summary>
    public double NuSigma { get; init; }
    public double T0Seconds { get; init; } = 1;

    /// <summary>Global drift compensation: the read-out gain is raised by (age/t₀)^ν of the mean ν, as
    /// a calibration read after ageing would (aihwkit's global drift compensation).</summary>
    public bool Compensated { get; init; }

    /// <summary>Time since programming when the run starts.</summary>
    public double AgeSeconds { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (!NonNegative(Nu)) yield return "device.drift.nu must be ≥ 0";
        if (!NonNegative(NuSigma)) yield return "device.drift.nu_sigma must be ≥ 0";
        if (!Positive(T0Seconds)) yield return "device.drift.t0_seconds must be > 0";
        if (!NonNegative(AgeSeconds)) yield return "device.drift.age_seconds must be ≥ 0";
    }
}

/// <summary>How a device whose level is G_min (the idle side of a differential pair, a zero weight) is programmed.</summary>
public enum OffState
{
    /// <summary>Like any other level: verified within ±tolerance of G_min, then relaxed by the fit.</summary>
    Programmed,

    /// <summary>NeuRRAM's way (public code, <c>program_array</c>: a target below g_min is RESET until it reads below
    /// g_min): RESET pulses until a verify read is below G_min; no relaxation (the fit's data are programmed levels).</summary>
    ResetBelowGmin,
}

/// <summary>
/// Program-and-verify: each pulse writes the cell with the device's write noise (<c>programming_noise</c>),
/// a verify read (read noise averaged over <see cref="VerifyReads"/>) accepts it within ±tolerance of the
/// target, else another pulse, up to <see cref="MaxPulses"/>; a cell that never verifies keeps its last
/// write and is counted. Accepted cells then relax: G += σ_relax(G)·z with σ_relax a cubic in G (µS).
/// </summary>
public sealed record WriteVerifyParameters
{
    public double ToleranceMicrosiemens { get; init; } = 1;
    public int MaxPulses { get; init; } = 30;
    public int VerifyReads { get; init; } = 1;
    public double PulseSeconds { get; init; } = 1e-6;
    public double VerifySeconds { get; init; } = 1e-6;

    /// <summary>Pulse amplitude: the first pulse, the increment per pulse, and the ceiling (volts).</summary>
    public double PulseVoltsStart { get; init; } = 1.2;
    public double PulseVoltsStep { get; init; } = 0.1;
    public double PulseVoltsMax { get; init; } = 3.3;
    public double VerifyReadVolts { get; init; } = 0.1;

    /// <summary>σ_relax(G) = c₃G³ + c₂G² + c₁G + c₀ (µS, G in µS), floored at 0; empty = no relaxation.</summary>
    public double[] RelaxationSigmaCubicMicrosiemens { get; init; } = [];

    /// <summary>Multiplies σ_relax: 1 = the fit as published; sweep it to ask how much relaxation a design tolerates.</summary>
    public double RelaxationScale { get; init; } = 1;

    /// <summary>The largest conductance the relaxation fit was made for (µS); null = no limit.</summary>
    public double? RelaxationFitMaxMicrosiemens { get; init; }

    /// <summary>How devices at G_min are programmed (<see cref="Profiles.OffState"/>).</summary>
    public OffState OffState { get; init; } = OffState.Programmed;

    /// <summary>Programming rounds: after the first, every relaxed device is read once and those outside the tolerance
    /// are programmed (and relax) again, as NeuRRAM's <c>program_array(num_epoch)</c> repeats its pass over the array.</summary>
    public int Rounds { get; init; } = 1;

    public double RelaxationSigma(double gMicrosiemens)
    {
        var c = RelaxationSigmaCubicMicrosiemens;
        if (c.Length == 0) return 0;
        double g = gMicrosiemens;
        return RelaxationScale * Math.Max(0, ((c[0] * g + c[1]) * g + c[2]) * g + c[3]);
    }

    internal IEnumerable<string> Problems(double gMaxMicrosiemens)
    {
        if (!Positive(ToleranceMicrosiemens)) yield return "device.write_verify.tolerance_microsiemens must be > 0";
        if (MaxPulses is < 1 or > 10_000) yield return $"device.write_verify.max_pulses must be 1 … 10000 (got {MaxPulses})";
        if (VerifyReads is < 1 or > 1000) yield return $"device.write_verify.verify_reads must be 1 … 1000 (got {VerifyReads})";
        if (!NonNegative(PulseSeconds)) yield return "device.write_verify.pulse_seconds must be ≥ 0";
        if (!NonNegative(VerifySeconds)) yield return "device.write_verify.verify_seconds must be ≥ 0";
        if (!NonNegative(PulseVoltsStart) || !NonNegative(PulseVoltsStep) || !(PulseVoltsMax >= PulseVoltsStart && double.IsFinite(PulseVoltsMax)))
            yield return "device.write_verify pulse volts must be ≥ 0 with pulse_volts_max ≥ pulse_volts_start";
        if (!NonNegative(VerifyReadVolts)) yield return "device.write_verify.verify_read_volts must be ≥ 0";
        if (RelaxationSigmaCubicMicrosiemens.Length is not (0 or 4) || RelaxationSigmaCubicMicrosiemens.Any(v => !double.IsFinite(v)))
            yield return "device.write_verify.relaxation_sigma_cubic_microsiemens must be four finite coefficients [c3, c2, c1, c0], or empty";
        if (!NonNegative(RelaxationScale)) yield return "device.write_verify.relaxation_scale must be ≥ 0";
        if (Rounds is < 1 or > 100) yield return $"device.write_verify.rounds must be 1 … 100 (got {Rounds})";
        if (RelaxationFitMaxMicrosiemens is { } m && gMaxMicrosiemens > m * (1 + 1e-9))
            yield return $"device.g_max_microsiemens ({gMaxMicrosiemens}) is beyond the range the relaxation fit was made for (≤ {m} µS)";
    }
}

/// <summary>One RRAM device type: conductance window, levels, write and read noise, drift, faults.</summary>
public sealed record DeviceParameters
{
    /// <summary>What device this is, named for the chip whose measurements it carries (e.g. <c>neurram-tsmc130-measured</c>).</summary>
    public string Name { get; init; } = "";

    /// <summary>Where its figures come from, and whether they are this chip's own or borrowed from another.</summary>
    public string Source { get; init; } = "";
    public double GMinMicrosiemens { get; init; } = 1;
    public double GMaxMicrosiemens { get; init; } = 100;

    /// <summary>Programmable conductance levels, evenly spaced over [Gmin, Gmax]; null = continuous.</summary>
    public int? Levels { get; init; }
    public ProgrammingNoiseParameters ProgrammingNoise { get; init; } = new();

    /// <summary>Relative σ of the conductance fluctuation on each read (redrawn every update period).</summary>
    public double ReadNoiseSigma { get; init; }
    public DriftParameters Drift { get; init; } = new();
    public double StuckAtGminRate { get; init; }
    public double StuckAtGmaxRate { get; init; }

    /// <summary>Program-and-verify; null = one write per cell, unverified.</summary>
    public WriteVerifyParameters? WriteVerify { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (!NonNegative(GMinMicrosiemens)) yield return "device.g_min_microsiemens must be ≥ 0";
        if (!Positive(GMaxMicrosiemens)) yield return "device.g_max_microsiemens must be > 0";
        if (!(GMinMicrosiemens < GMaxMicrosiemens)) yield return $"device.g_min_microsiemens ({GMinMicrosiemens}) must be below device.g_max_microsiemens ({GMaxMicrosiemens})";
        if (Levels is < 2) yield return $"device.levels must be ≥ 2, or null for continuous conductances (got {Levels})";
        foreach (var p in ProgrammingNoise.Problems()) yield return p;
        if (!NonNegative(ReadNoiseSigma)) yield return "device.read_noise_sigma must be ≥ 0";
        foreach (var p in Drift.Problems()) yield return p;
        if (!(StuckAtGminRate is >= 0 and <= 1)) yield return "device.stuck_at_gmin_rate must be in [0, 1]";
        if (!(StuckAtGmaxRate is >= 0 and <= 1)) yield return "device.stuck_at_gmax_rate must be in [0, 1]";
        if (StuckAtGminRate + StuckAtGmaxRate > 1) yield return "device stuck-at rates add up to more than 1";
        if (WriteVerify is { } wv) foreach (var p in wv.Problems(GMaxMicrosiemens)) yield return p;
    }
}
