using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Devices.ProgrammingNoise;

/// <summary>
/// How one write lands: the conductance a device takes when written to level g, from one standard normal and one
/// uniform draw (the device's programming streams). A model is one class in this folder with a public static
/// <c>Name</c> (the name profiles give it) and a public constructor
/// taking <see cref="ProgrammingNoiseParameters"/>; the profile names it (<c>device.programming_noise.model</c>) and
/// <see cref="ProgrammingNoiseModels"/> finds it — adding a model is adding a file.
/// </summary>
public interface IProgrammingNoise
{
    /// <summary>The conductance after one write of level <paramref name="g"/> (siemens; may be negative: the caller floors it at 0).</summary>
    double Write(double g, double gaussian, double uniform);

    /// <summary>What is wrong with the parameters for this model, as profile keys.</summary>
    IEnumerable<string> Problems() => [];
}

/// <summary>The programming-noise models this build has, by the name profiles give them.</summary>
public static class ProgrammingNoiseModels
{
    private static readonly ModelRegistry<IProgrammingNoise, ProgrammingNoiseParameters> Registry = new("device.programming_noise.model");

    public static IReadOnlyList<string> Names => Registry.Names;

    public static string? Unknown(string name) => Registry.Unknown(name);

    /// <summary>The model the parameters name.</summary>
    public static IProgrammingNoise For(ProgrammingNoiseParameters parameters) => Registry.Create(parameters.Model, parameters);
}
