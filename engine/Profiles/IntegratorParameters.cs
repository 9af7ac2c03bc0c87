using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

public enum NoiseScaling { SqrtBeta, Beta }

/// <summary>The analog integrator channels that close the loop.</summary>
public sealed record IntegratorParameters
{
    /// <summary>RC: physical seconds per unit of diffusion time.</summary>
    public double TimeConstantSeconds { get; init; } = 1e-5;

    /// <summary>Open-loop DC gain A of the integrator's op-amp (leak x/A); null = infinite.</summary>
    public double? OpampGain { get; init; }

    /// <summary>σ of each channel's random input offset (volts), drawn once per chip seed.</summary>
    public double OffsetSigmaVolts { get; init; }

    /// <summary>Deliberate per-channel offsets (volts), channel i uses entry i mod length.</summary>
    public double[] OffsetsVolts { get; init; } = [];
    public NoiseScaling NoiseScaling { get; init; } = NoiseScaling.SqrtBeta;
    public double NoiseScale { get; init; } = 1.0;

    /// <summary>Output rails (±volts); null = none.</summary>
    public double? SaturationVolts { get; init; }
    public double StaticPowerWatts { get; init; }

    /// <summary>The integrating capacitor (R = RC/C): sets the channel's thermal noise (kT/C, the input resistor's 4kT/R).</summary>
    public double CapacitorFarads { get; init; } = 100e-12;

    /// <summary>Per sample, before the run: discharging the capacitors and loading the initial condition x(τ = 1).</summary>
    public double ResetSeconds { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (!Positive(TimeConstantSeconds)) yield return "integrator.time_constant_seconds must be > 0";
        if (OpampGain is { } g && !(g > 1 && double.IsFinite(g))) yield return "integrator.opamp_gain must be > 1 or null (infinite)";
        if (!NonNegative(OffsetSigmaVolts)) yield return "integrator.offset_sigma_volts must be ≥ 0";
        if (OffsetsVolts.Any(v => !double.IsFinite(v))) yield return "integrator.offsets_volts must be finite";
        if (!NonNegative(NoiseScale)) yield return "integrator.noise_scale must be ≥ 0";
        if (SaturationVolts is { } s && !Positive(s)) yield return "integrator.saturation_volts must be > 0 or null (no rails)";
        if (!NonNegative(StaticPowerWatts)) yield return "integrator.static_power_watts must be ≥ 0";
        if (!NonNegative(ResetSeconds)) yield return "integrator.reset_seconds must be ≥ 0";
        if (!Positive(CapacitorFarads)) yield return "integrator.capacitor_farads must be > 0";
    }
}
