using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>A tile's input DAC, where a signal arrives digitised.</summary>
public sealed record DacParameters
{
    /// <summary>Resolution of a tile's input DAC; 0 = ideal.</summary>
    public int Bits { get; init; }
    public double FullScaleVolts { get; init; } = 1.0;
    public double EnergyPerConversionJoules { get; init; }

    /// <summary>How a conversion's energy is found (<see cref="Circuits.ConverterEnergy.ConverterEnergyModels"/>); null = the stated figure.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? EnergyModel { get; init; }

    /// <summary>Joules of one conversion at <paramref name="sampleRateHz"/> under <see cref="EnergyModel"/>.</summary>
    public double JoulesPerConversion(double sampleRateHz) => Circuits.ConverterEnergy.ConverterEnergyModels.JoulesPerConversion(EnergyModel, new("dac", Bits, sampleRateHz, EnergyPerConversionJoules));

    internal IEnumerable<string> Problems()
    {
        foreach (var p in Quantizer("dac", Bits, FullScaleVolts)) yield return p;
        if (!NonNegative(EnergyPerConversionJoules)) yield return "dac.energy_per_conversion_joules must be ≥ 0";
        if (Circuits.ConverterEnergy.ConverterEnergyModels.Unknown("dac", EnergyModel) is { } unknown) yield return unknown;
    }
}
