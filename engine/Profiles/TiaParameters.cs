using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>The transimpedance amplifier that senses each tile column.</summary>
public sealed record TiaParameters
{
    /// <summary>Output rails of the sense amplifier (±volts); null = none.</summary>
    public double? SaturationVolts { get; init; }
    public double StaticPowerWatts { get; init; }

    /// <summary>Bit-line plus TIA settling after an input change.</summary>
    public double SettlingSeconds { get; init; }

    /// <summary>1 + R_f·ΣG of the busiest column: the op-amp's closed-loop bandwidth is its GBW over this, so it needs this
    /// many times the bandwidth its settling asks for. 1 = not modelled; the loop design derives it from the mapped conductances.</summary>
    public double NoiseGain { get; init; } = 1;

    /// <summary>The op-amp gain–bandwidth that settles the TIA within <see cref="SettlingSeconds"/> at its noise gain.</summary>
    public double GainBandwidthHertz(OpampParameters opamp) => opamp.SettlingBandwidthHertz(SettlingSeconds) * NoiseGain;

    internal IEnumerable<string> Problems()
    {
        if (SaturationVolts is { } s && !Positive(s)) yield return "tia.saturation_volts must be > 0 or null (no saturation)";
        if (!NonNegative(StaticPowerWatts)) yield return "tia.static_power_watts must be ≥ 0";
        if (!NonNegative(SettlingSeconds)) yield return "tia.settling_seconds must be ≥ 0";
        if (!(NoiseGain >= 1 && double.IsFinite(NoiseGain))) yield return "tia.noise_gain must be ≥ 1";
    }
}
