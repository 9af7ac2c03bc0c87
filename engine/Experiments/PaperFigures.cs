namespace MemristorGrid.Engine.Experiments;

/// <summary>
/// The figures Yang et al. report for their machine against a digital baseline (PAPER.md), to print
/// beside ours. Energy ratios are digital / analog: the journal's "31.5 % less energy" is 1/(1 − 0.315).
/// </summary>
public static class PaperFigures
{
    public sealed record Ratio(string Source, double Unconditional, double Conditional);

    public static readonly IReadOnlyList<Ratio> SpeedUps =
    [
        new("arXiv 2404.05648 v1 (2024)", 64.8, 156.5),
        new("Nature Communications (2026)", 69.0, 116.5),
    ];

    public static readonly IReadOnlyList<Ratio> EnergyRatios =
    [
        new("arXiv 2404.05648 v1 (2024)", 5.2, 4.1),
        new("Nature Communications (2026): 31.5 % / 52.0 % less energy", 1 / (1 - 0.315), 1 / (1 - 0.520)),
    ];

    /// <summary>IEDM 2024, the 2-D conditional task, per sample: hardware and software baseline.</summary>
    public const double IedmAnalogSeconds = 0.02e-3, IedmAnalogJoules = 7.2e-6, IedmDigitalSeconds = 3.0e-3, IedmDigitalJoules = 22.5e-6;

    /// <summary>The paper's digital sampling settings: steps and samples (per class for the conditional task).</summary>
    public const int UnconditionalSteps = 10_000, ConditionalSteps = 5_000, ConditionalSamplesPerClass = 500;
}
