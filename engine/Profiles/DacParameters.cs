using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>A tile's input DAC, where a signal arrives digitised.</summary>
public sealed record DacParameters
{
    /// <summary>Resolution of a tile's input DAC; 0 = ideal.</summary>
    public int Bits { get; init; }
    public double FullScaleVolts { get; init; } = 1.0;
    public double EnergyPerConversionJoules { get; init; }

    internal IEnumerable<string> Problems()
    {
        foreach (var p in Quantizer("dac", Bits, FullScaleVolts)) yield return p;
        if (!NonNegative(EnergyPerConversionJoules)) yield return "dac.energy_per_conversion_joules must be ≥ 0";
    }
}
