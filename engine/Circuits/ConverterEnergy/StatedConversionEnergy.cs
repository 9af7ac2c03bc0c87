namespace MemristorGrid.Engine.Circuits.ConverterEnergy;

/// <summary>The energy per conversion the profile states (<c>energy_per_conversion_joules</c>), whatever the resolution and rate.</summary>
public sealed class StatedConversionEnergy(ConverterSpec spec) : IConverterEnergy
{
    public static string Name => "stated";

    public double JoulesPerConversion => spec.StatedJoulesPerConversion;
}
