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

    internal IEnumerable<string> Problems()
    {
        if (SaturationVolts is { } s && !Positive(s)) yield return "tia.saturation_volts must be > 0 or null (no saturation)";
        if (!NonNegative(StaticPowerWatts)) yield return "tia.static_power_watts must be ≥ 0";
        if (!NonNegative(SettlingSeconds)) yield return "tia.settling_seconds must be ≥ 0";
    }
}
