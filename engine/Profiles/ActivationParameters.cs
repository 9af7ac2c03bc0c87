using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>The ReLU circuit after every hidden layer.</summary>
public sealed record ActivationParameters
{
    /// <summary>Upper rail of the ReLU circuit (volts); null = none beyond the network's own.</summary>
    public double? SaturationVolts { get; init; }
    public double StaticPowerWatts { get; init; }
    public double DelaySeconds { get; init; }

    internal IEnumerable<string> Problems()
    {
        if (SaturationVolts is { } s && !Positive(s)) yield return "activation.saturation_volts must be > 0 or null (no saturation)";
        if (!NonNegative(StaticPowerWatts)) yield return "activation.static_power_watts must be ≥ 0";
        if (!NonNegative(DelaySeconds)) yield return "activation.delay_seconds must be ≥ 0";
    }
}
