namespace MemristorGrid.Engine.Circuits.ConverterEnergy;

/// <summary>A converter as its energy model sees it: which one (adc or dac), its resolution, its sample rate and the
/// energy per conversion the profile states (with its source, or as an assumption).</summary>
public sealed record ConverterSpec(string Converter, int Bits, double SampleRateHz, double StatedJoulesPerConversion);

/// <summary>
/// What one conversion of a converter costs. A model is one class in this folder with a public static <c>Name</c> and a
/// constructor taking <see cref="ConverterSpec"/>; the profile names it (<c>adc.energy_model</c>, <c>dac.energy_model</c>;
/// absent = <see cref="StatedConversionEnergy"/>) and <see cref="ConverterEnergyModels"/> finds it.
/// </summary>
public interface IConverterEnergy
{
    double JoulesPerConversion { get; }
}

/// <summary>The converter energy models this build has.</summary>
public static class ConverterEnergyModels
{
    /// <summary>The model a profile uses when it names none.</summary>
    public const string Default = "stated";

    private static readonly ModelRegistry<IConverterEnergy, ConverterSpec> Registry = new("energy_model");

    public static IReadOnlyList<string> Names => Registry.Names;

    public static string? Unknown(string converter, string? name) => name is null ? null : Registry.Unknown(name, $"{converter}.energy_model");

    public static double JoulesPerConversion(string? model, ConverterSpec spec) => Registry.Create(model ?? Default, spec).JoulesPerConversion;
}
