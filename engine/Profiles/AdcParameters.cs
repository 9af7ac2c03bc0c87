using static MemristorGrid.Engine.Profiles.ProfileChecks;

namespace MemristorGrid.Engine.Profiles;

/// <summary>The ADC wherever a signal is digitised: chip boundaries and the final readout.</summary>
public sealed record AdcParameters
{
    /// <summary>Resolution where a signal is digitised (chip boundaries, final readout); 0 = ideal.</summary>
    public int Bits { get; init; }
    public double FullScaleVolts { get; init; } = 1.0;
    public double EnergyPerConversionJoules { get; init; }

    /// <summary>How a conversion's energy is found (<see cref="Circuits.ConverterEnergy.ConverterEnergyModels"/>); null = the stated figure.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? EnergyModel { get; init; }

    /// <summary>Joules of one conversion under <see cref="EnergyModel"/>.</summary>
    public double JoulesPerConversion() => Circuits.ConverterEnergy.ConverterEnergyModels.JoulesPerConversion(EnergyModel, new("adc", Bits, SampleRateHz, EnergyPerConversionJoules));
    public double ConversionSeconds { get; init; }

    /// <summary>Rate at which a digitised signal is re-sampled while the loop runs.</summary>
    public double SampleRateHz { get; init; } = 1e6;

    /// <summary>Bits one conversion puts on a link (an ideal ADC sends a float32).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int BitsPerConversion => Bits == 0 ? 32 : Bits;

    internal IEnumerable<string> Problems()
    {
        foreach (var p in Quantizer("adc", Bits, FullScaleVolts)) yield return p;
        if (!NonNegative(EnergyPerConversionJoules)) yield return "adc.energy_per_conversion_joules must be ≥ 0";
        if (Circuits.ConverterEnergy.ConverterEnergyModels.Unknown("adc", EnergyModel) is { } unknown) yield return unknown;
        if (!NonNegative(ConversionSeconds)) yield return "adc.conversion_seconds must be ≥ 0";
        if (!Positive(SampleRateHz)) yield return "adc.sample_rate_hz must be > 0";
    }
}
