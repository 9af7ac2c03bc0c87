using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Devices.ProgrammingNoise;

/// <summary>A measured RRAM fit: G + σ_G·N(0, 1) with σ_G = intercept + slope·G (µS), floored at 0.</summary>
public sealed class RramFitNoise(ProgrammingNoiseParameters p) : IProgrammingNoise
{
    public static string Name => "rram-fit";

    public double Write(double g, double gaussian, double uniform) => g + Math.Max(0, p.FitInterceptMicrosiemens * 1e-6 + p.FitSlope * g) * gaussian;
}
