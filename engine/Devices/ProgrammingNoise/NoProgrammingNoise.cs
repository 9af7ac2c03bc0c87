using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Devices.ProgrammingNoise;

/// <summary>Every write lands exactly on its level.</summary>
public sealed class NoProgrammingNoise : IProgrammingNoise
{
    /// <summary>The registry's constructor: this model reads no parameter.</summary>
    public NoProgrammingNoise(ProgrammingNoiseParameters parameters) => ArgumentNullException.ThrowIfNull(parameters);

    public static string Name => "none";

    public double Write(double g, double gaussian, double uniform) => g;
}
