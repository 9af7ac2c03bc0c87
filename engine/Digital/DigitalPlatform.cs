using System.Globalization;

namespace MemristorGrid.Engine.Digital;

/// <summary>
/// The hardware a digital baseline is charged for. The time of a CPU platform is the CPU time this
/// machine measured (not wall time, which moves with load); its energy is that time × the platform's power
/// per busy core. A GPU platform's time is the network's arithmetic at a stated share of the GPU's peak, and its
/// energy that time × its board power. Every preset carries its source; utilisations are assumptions.
/// </summary>
public sealed record DigitalPlatform(string Name, string Description, double Watts, string Source)
{
    /// <summary>Peak arithmetic (FLOP/s) for a throughput-modelled platform (a GPU); null = timed on this CPU.</summary>
    public double? PeakFlops { get; init; }

    /// <summary>Share of <see cref="PeakFlops"/> the workload keeps busy (an assumption).</summary>
    public double Utilisation { get; init; } = 1;

    public bool IsTimedHere => PeakFlops is null;

    public const string PaperEdge = "paper-edge";

    public static readonly IReadOnlyList<DigitalPlatform> Presets =
    [
        new(PaperEdge, "the paper's own software baseline, as its IEDM per-sample figures imply",
            22.5e-6 / 3.0e-3, "IEDM 2024: 22.5 µJ in 3.0 ms per sample = 7.5 mW average (PAPER.md); charged per CPU-second measured here"),
        new("server-core", "one busy core of a 28-core server CPU",
            205.0 / 28, "Intel Xeon Platinum 8180: 205 W TDP over 28 cores = 7.32 W per core (Intel product specification)"),
        new("datacenter-gpu", "an NVIDIA A100 SXM4 running the batched Euler loop",
            400, "NVIDIA A100 datasheet: 400 W board power (SXM4), 19.5 TFLOP/s FP32 peak; utilisation 5 % is an assumption (a 14-wide MLP cannot fill a GPU)")
        { PeakFlops = 19.5e12, Utilisation = 0.05 },
    ];

    public static DigitalPlatform Resolve(string name) =>
        Presets.FirstOrDefault(p => p.Name == name)
        ?? throw UserInputException.ForSetting("platform", $"'{name}' is not a platform preset ({string.Join(", ", Presets.Select(p => p.Name))})");

    /// <summary>A CPU platform with a power per core given by the user (<c>--cpu-watts</c>).</summary>
    public static DigitalPlatform CpuCore(double watts) =>
        new("cpu-watts", "one busy CPU core at a power given on the command line", watts, string.Create(CultureInfo.InvariantCulture, $"--cpu-watts {watts:G4}"));

    /// <summary>Seconds one sample takes on this platform: the CPU time measured here, or the arithmetic at the platform's throughput.</summary>
    public double SecondsPerSample(double measuredCpuSecondsPerSample, double flopsPerSample) =>
        PeakFlops is { } peak ? flopsPerSample / (peak * Utilisation) : measuredCpuSecondsPerSample;

    public double EnergyPerSample(double measuredCpuSecondsPerSample, double flopsPerSample) =>
        Watts * SecondsPerSample(measuredCpuSecondsPerSample, flopsPerSample);

    /// <summary>Multiply–adds × 2 of one sample's Euler loop: every layer, every step, every guided pass.</summary>
    public static double FlopsPerSample(Networks.IScoreNetworkInfo network, int steps, bool guided) =>
        2.0 * network.MacsPerEvaluation * steps * (guided ? 2 : 1);
}
