using MemristorGrid.Engine.Profiles;

namespace MemristorGrid.Engine.Devices.ProgrammingNoise;

/// <summary>
/// The paper's hardware-aware noise: G·(1 + ε), ε = σ·N(0, 1), a draw with |ε| ≥ truncation replaced by a uniform one in
/// [−truncation, truncation] (Yang et al.'s training recipe, applied to the programmed conductance).
/// </summary>
public sealed class TruncatedMultiplicativeNoise(ProgrammingNoiseParameters p) : IProgrammingNoise
{
    public static string Name => "truncated-multiplicative";

    public double Write(double g, double gaussian, double uniform)
    {
        if (!(p.Sigma > 0)) return g;
        double eps = p.Sigma * gaussian;
        if (Math.Abs(eps) >= p.Truncation) eps = p.Truncation * (2 * uniform - 1);
        return g * (1 + eps);
    }

    public IEnumerable<string> Problems()
    {
        if (p.Sigma > 0 && !(p.Truncation > 0)) yield return "device.programming_noise.truncation must be > 0 for the truncated-multiplicative model";
    }
}
