using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Devices.ProgrammingNoise;

/// <summary>G·(1 + σ·N(0, 1)): a write error proportional to the target, untruncated.</summary>
public sealed class GaussianProportionalNoise(ProgrammingNoiseParameters p) : IProgrammingNoise
{
    public static string Name => "gaussian-proportional";

    public double Write(double g, double gaussian, double uniform) => p.Sigma > 0 ? g * (1 + p.Sigma * gaussian) : g;
}
